/** Plain node:http apps that tell a test exactly what the client sent. */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  rawHeaders: string[];
  body: string;
  text: string;
  remoteAddress: string;
  encrypted: boolean;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Answers with everything it received, as JSON. */
export async function echo(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const socket = req.socket as IncomingMessage["socket"] & { encrypted?: boolean };
  const data: Echo = {
    method: req.method ?? "",
    url: req.url ?? "",
    headers: req.headers as Echo["headers"],
    rawHeaders: req.rawHeaders,
    body: body.toString("base64"),
    text: body.toString("utf8"),
    remoteAddress: socket.remoteAddress ?? "",
    encrypted: socket.encrypted === true,
  };
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(data));
}

export const echoApp = () => (req: IncomingMessage, res: ServerResponse) => void echo(req, res);

/** A tiny app: `/redirect?status=&to=`, `/chain/<n>`, `/loop`, `/set?cookie=...`, else echo. */
export function redirectApp() {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://x");
    const chain = /^\/chain\/(\d+)$/.exec(url.pathname);
    if (url.pathname.endsWith("/redirect")) {
      const cookies = url.searchParams.getAll("cookie");
      if (cookies.length > 0) res.setHeader("set-cookie", cookies);
      res.writeHead(Number(url.searchParams.get("status")), {
        location: url.searchParams.get("to") ?? "/",
      });
      res.end("moved");
    } else if (chain) {
      const n = Number(chain[1]);
      if (n === 0) res.end("done");
      else res.writeHead(302, { location: `/chain/${n - 1}` }).end();
    } else if (url.pathname === "/loop") {
      res.writeHead(307, { location: "/loop" }).end();
    } else if (url.pathname.endsWith("/set")) {
      res.setHeader("set-cookie", url.searchParams.getAll("cookie"));
      res.end("set");
    } else {
      void echo(req, res);
    }
  };
}
