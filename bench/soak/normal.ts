/**
 * The normal side of the soak: a fixed mix of well-formed requests, each with the exact answer
 * it must get, sent by keep-alive workers over `node:http` as fast as the server answers. Any
 * other status, a wrong body, a socket error or a timeout is an error.
 */
import { Agent, type IncomingHttpHeaders, request } from "node:http";
import { AUTH_TOKEN, SOAK_FILES, STREAM_CHUNK } from "./app.ts";

/** What one worker carries from request to request: its session cookie and visit count. */
export interface WorkerState {
  cookie: string | null;
  visits: number;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface NormalRequest {
  readonly name: string;
  readonly method: string;
  /** `n` counts the requests this worker sent, so paths and ids vary. */
  readonly path: (n: number) => string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
  readonly status: number;
  /** Adds headers from the worker's state (the session cookie). */
  readonly prepare?: (state: WorkerState) => Record<string, string>;
  /** Returns what is wrong with the answer, or `null`; may update the worker's state. */
  readonly check?: (answer: Answer, state: WorkerState, n: number) => string | null;
}

const BOUNDARY = "----soakNormalBoundary";
const UPLOAD_SIZE = 16 * 1024;
const upload = Buffer.alloc(UPLOAD_SIZE);
for (let i = 0; i < upload.length; i++) upload[i] = (i * 7) % 256;
let uploadSum = 0;
for (const byte of upload) uploadSum = (uploadSum + byte) % 65_521;

const multipart = Buffer.concat([
  Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHoliday\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="../photo 1.jpg"\r\n` +
      "Content-Type: image/jpeg\r\n\r\n",
  ),
  upload,
  Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
]);

const json = (answer: Answer): Record<string, unknown> => {
  const type = answer.headers["content-type"] ?? "";
  if (!type.startsWith("application/json")) throw new Error(`content-type ${type}`);
  return JSON.parse(answer.body.toString("utf8")) as Record<string, unknown>;
};

/** `null` when `actual` deep-equals `wanted` (by JSON text, which the app writes in key order). */
const same = (actual: unknown, wanted: unknown): string | null =>
  JSON.stringify(actual) === JSON.stringify(wanted) ? null : `body ${JSON.stringify(actual)}`;

const size = (bytes: number) => (a: Answer) =>
  a.body.length === bytes ? null : `${a.body.length} bytes, wanted ${bytes}`;

export const normalRequests: readonly NormalRequest[] = [
  {
    name: "GET /api/users/<int:id>",
    method: "GET",
    path: (n) => `/api/users/${n % 1000}`,
    status: 200,
    check: (a, _s, n) => same(json(a), { id: n % 1000, name: `user${n % 1000}` }),
  },
  {
    name: "GET /api/users/:user/posts/:slug?fields",
    method: "GET",
    path: () => "/api/users/ada/posts/hello%20world?fields=title&fields=body",
    status: 200,
    check: (a) => same(json(a), { user: "ada", slug: "hello world", fields: ["title", "body"] }),
  },
  {
    name: "POST /api/items (JSON)",
    method: "POST",
    path: () => "/api/items",
    headers: { "content-type": "application/json" },
    body: Buffer.from(JSON.stringify({ name: "widget", tags: ["a", "b"], meta: { color: "red" } })),
    status: 201,
    check: (a) => {
      const { id, ...rest } = json(a);
      if (typeof id !== "number") return `id ${String(id)}`;
      return same(rest, {
        tags: ["a", "b"],
        meta: { source: "api", color: "red" },
        name: "widget",
      });
    },
  },
  {
    name: "POST /form (urlencoded)",
    method: "POST",
    path: () => "/form",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: Buffer.from("title=Hello&body=World+%26+more&tag=a&tag=b"),
    status: 200,
    check: (a) =>
      same(json(a), { fields: { title: "Hello", body: "World & more", tag: "b" }, count: 3 }),
  },
  {
    name: "POST /upload (multipart, 16 KiB file)",
    method: "POST",
    path: () => "/upload",
    headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
    body: multipart,
    status: 201,
    check: (a) =>
      same(json(a), {
        title: "Holiday",
        filename: "photo 1.jpg",
        size: UPLOAD_SIZE,
        sum: uploadSum,
      }),
  },
  {
    name: "GET /static/site.css",
    method: "GET",
    path: () => "/static/site.css",
    status: 200,
    check: size(SOAK_FILES.css.size),
  },
  {
    name: "GET /static/logo.bin (64 KiB)",
    method: "GET",
    path: () => "/static/logo.bin",
    status: 200,
    check: size(SOAK_FILES.image.size),
  },
  {
    name: "POST /session/visit (signed cookie)",
    method: "POST",
    path: () => "/session/visit",
    status: 200,
    prepare: (s): Record<string, string> => (s.cookie === null ? {} : { cookie: s.cookie }),
    check: (a, s) => {
      const wrong = same(json(a), { visits: s.visits + 1 });
      if (wrong !== null) return wrong;
      const cookie = [a.headers["set-cookie"] ?? []].flat().find((c) => c.startsWith("session="));
      if (cookie === undefined) return "no session cookie";
      s.cookie = cookie.slice(0, cookie.indexOf(";"));
      s.visits++;
      return null;
    },
  },
  {
    name: "GET /stream (16 chunks)",
    method: "GET",
    path: () => "/stream",
    status: 200,
    check: size(16 * STREAM_CHUNK),
  },
  {
    name: "GET /private/report, no token (beforeRequest 401)",
    method: "GET",
    path: () => "/private/report",
    status: 401,
  },
  {
    name: "GET /private/report, token",
    method: "GET",
    path: () => "/private/report",
    headers: { authorization: AUTH_TOKEN },
    status: 200,
    check: (a) => same(json(a), { report: "ok" }),
  },
  { name: "GET /boom (throws)", method: "GET", path: () => "/boom", status: 500 },
  { name: "GET /boom-async (rejects)", method: "GET", path: () => "/boom-async", status: 500 },
  {
    name: "GET /nowhere (404 handler)",
    method: "GET",
    path: (n) => `/nowhere/${n}`,
    status: 404,
    check: (a) => (json(a).error === "not_found" ? null : "not the 404 handler's body"),
  },
  {
    name: "POST /api/items without name (422 handler)",
    method: "POST",
    path: () => "/api/items",
    headers: { "content-type": "application/json" },
    body: Buffer.from("{}"),
    status: 422,
  },
  {
    name: "GET /api/orders/<id> (HTTPError 410)",
    method: "GET",
    path: () => "/api/orders/7",
    status: 410,
  },
  {
    name: "GET /api/clean (prototype untouched)",
    method: "GET",
    path: () => "/api/clean",
    status: 200,
    check: (a) => same(json(a), { clean: true }),
  },
];

const TIMEOUT_MS = 15_000;

/** Sends one request and reads the whole answer. */
export function send(
  port: number,
  agent: Agent,
  r: NormalRequest,
  state: WorkerState,
  n: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...r.headers, ...r.prepare?.(state) };
    if (r.body !== undefined) headers["content-length"] = String(r.body.length);
    const req = request(
      { host: "127.0.0.1", port, method: r.method, path: r.path(n), headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
    req.on("error", reject);
    req.end(r.body);
  });
}

/** What is wrong with `answer` to `r`, or `null`. Every answer must carry the afterRequest header. */
export function judge(
  r: NormalRequest,
  answer: Answer,
  state: WorkerState,
  n: number,
): string | null {
  if (answer.status !== r.status) return `status ${answer.status}, wanted ${r.status}`;
  if (answer.headers["x-soak"] === undefined) return "no X-Soak header (afterRequest hook)";
  try {
    return r.check?.(answer, state, n) ?? null;
  } catch (err) {
    return String(err);
  }
}

export interface NormalStats {
  /** Requests answered (whatever the answer). */
  served: number;
  byRequest: Record<string, number>;
  errors: number;
  /** "request name: problem" -> count */
  errorKinds: Record<string, number>;
  /** Latencies (ms) since the last `takeLatencies()`. */
  latencies: number[];
}

/**
 * Runs `concurrency` workers, each walking the mix from its own offset, until `stop()`; every
 * worker finishes its request in flight before `stop()` resolves.
 */
export function startNormal(port: number, concurrency: number) {
  const stats: NormalStats = { served: 0, byRequest: {}, errors: 0, errorKinds: {}, latencies: [] };
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let stopping = false;
  const worker = async (offset: number) => {
    const state: WorkerState = { cookie: null, visits: 0 };
    for (let n = offset; !stopping; n++) {
      const r = normalRequests[n % normalRequests.length] as NormalRequest;
      const started = performance.now();
      let problem: string | null;
      try {
        const answer = await send(port, agent, r, state, n);
        stats.served++;
        stats.byRequest[r.name] = (stats.byRequest[r.name] ?? 0) + 1;
        problem = judge(r, answer, state, n);
      } catch (err) {
        problem = `socket: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      }
      stats.latencies.push(performance.now() - started);
      if (problem !== null) {
        stats.errors++;
        const key = `${r.name}: ${problem.slice(0, 160)}`;
        stats.errorKinds[key] = (stats.errorKinds[key] ?? 0) + 1;
      }
    }
  };
  const workers = Array.from({ length: concurrency }, (_, i) => worker(i * 7));
  return {
    stats,
    async stop(): Promise<void> {
      stopping = true;
      await Promise.all(workers);
      agent.destroy();
    },
  };
}
