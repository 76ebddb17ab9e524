/**
 * Raw node:http, the floor every framework is measured against: what a careful developer writes
 * by hand. A switch on the URL for the static paths, startsWith for /user/:id, a buffered body and
 * JSON.parse for /echo (400 on bad JSON), content-type and content-length set explicitly.
 *
 * The "github" app has no router here, so there is nothing to compare routing against: it answers
 * only DEEP_ROUTE (checked segment by segment) and 404s everything else. It is the floor for that
 * scenario (the cost of HTTP alone), not a competitor.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { DEEP_ROUTE } from "../lib/github-routes.ts";
import type { AppKind } from "../lib/scenarios.ts";

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

const json = (res: ServerResponse, value: unknown) =>
  send(res, 200, "application/json", JSON.stringify(value));
const notFound = (res: ServerResponse) => send(res, 404, "text/plain", "Not Found");
const badRequest = (res: ServerResponse) => send(res, 400, "text/plain", "Bad Request");

/** Percent-decodes a path segment; null when malformed (answered 400, as frameworks do). */
function decode(segment: string): string | null {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function echo(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      badRequest(res);
      return;
    }
    json(res, value);
  });
}

function basic(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  switch (path) {
    case "/":
      if (req.method !== "GET") break;
      json(res, { hello: "world" });
      return;
    case "/echo":
      if (req.method !== "POST") break;
      echo(req, res);
      return;
    default: {
      if (req.method !== "GET" || !path.startsWith("/user/")) break;
      const raw = path.slice("/user/".length);
      if (raw === "" || raw.includes("/")) break;
      const id = decode(raw);
      if (id === null) badRequest(res);
      else json(res, { id });
      return;
    }
  }
  notFound(res);
}

// DEEP_ROUTE.pattern is /repos/:owner/:repo/pulls/:number/comments.
const DEEP_ID = `${DEEP_ROUTE.method} ${DEEP_ROUTE.pattern}`;

function github(req: IncomingMessage, res: ServerResponse): void {
  const s = (req.url ?? "/").split("?", 1)[0]?.split("/") ?? [];
  const [, repos, rawOwner, rawRepo, pulls, rawNumber, comments] = s;
  if (
    req.method !== "GET" ||
    s.length !== 7 ||
    repos !== "repos" ||
    pulls !== "pulls" ||
    comments !== "comments" ||
    !rawOwner ||
    !rawRepo ||
    !rawNumber
  ) {
    notFound(res);
    return;
  }
  const [owner, repo, number] = [decode(rawOwner), decode(rawRepo), decode(rawNumber)];
  if (owner === null || repo === null || number === null) badRequest(res);
  else json(res, { route: DEEP_ID, params: { owner, repo, number } });
}

export async function start(app: AppKind, port: number): Promise<void> {
  const server = createServer(app === "basic" ? basic : github);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}
