/**
 * The hostile side of the soak: raw `net` clients that attack the soak app at a steady rate,
 * one kind after another, each with the outcomes SECURITY-RULES.md calls for. Every kind cycles
 * through its variants, so a long run sends each of them many times.
 */
import { setMaxListeners } from "node:events";
import type { Socket } from "node:net";
import { type Exchange, exchange, type Script, sleep, write } from "./raw-client.ts";

export interface HostileKind {
  readonly name: string;
  /** Outcomes that mean the server did the right thing (see raw-client.ts for the words). */
  readonly expected: readonly string[];
  /** How many different attacks `script(n)` makes before it repeats itself. */
  readonly variants: number;
  /** The script of the `n`th attack of this kind. */
  script(n: number): Script;
}

const HOST = "Host: 127.0.0.1\r\n";
const TIMEOUT = 20_000;
const MIB = 1024 * 1024;
const BOUNDARY = "----soakBoundary9f8e7d";
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

/** Slowloris: one header byte this often, and how long the client keeps it up at most. */
export const SLOWLORIS_TRICKLE_MS = 2_000;
export const SLOWLORIS_GIVE_UP_MS = 150_000;

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;

/** A whole request written at once; the outcome is the status it gets. */
function oneShot(request: string | Buffer): Script {
  return { send: (socket) => write(socket, request), timeoutMs: TIMEOUT };
}

function post(path: string, type: string | null, body: string | Buffer): Buffer {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const ct = type === null ? "" : `Content-Type: ${type}\r\n`;
  const head = `POST ${path} HTTP/1.1\r\n${HOST}${ct}Content-Length: ${bytes.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), bytes]);
}

function filePartHead(name = "file"): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
}

/** Writes `chunk` again and again, up to `max` bytes, until the server answers. */
async function flood(socket: Socket, answered: () => boolean, chunk: Buffer, max: number) {
  for (let sent = 0; sent < max && !answered(); sent += chunk.length) await write(socket, chunk);
}

const traversal = [
  "/static/../../../../etc/passwd",
  "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
  "/static/..%2f..%2f..%2fetc%2fpasswd",
  "/static/..%5c..%5c..%5cwindows%5cwin.ini",
  "/static/site.css%00.txt",
  "/static//etc/passwd",
  "/static/%2e%2e%2f%2e%2e%2fpackage.json",
  "/static/.%2e/.%2e/package.json",
];

const badPercent = [
  "/api/users/%E0%A4%A",
  "/api/users/%zz",
  "/%",
  "/static/%c0%ae%c0%ae/etc/passwd",
  "/api/users/ada/posts/%ff%fe",
  "/api/items%",
];

const badJson: readonly Buffer[] = [
  post("/api/items", "application/json", '{"name":'),
  post("/api/items", "application/json", "{'name':'x'}"),
  post("/api/items", "application/json", ""),
  post("/api/items", "application/json", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
  post("/api/items", "text/plain", '{"name":"x"}'),
  post("/api/items", "application/", '{"name":"x"}'),
  post("/api/items", "application/json; charset=klingon", '{"name":"x"}'),
  post("/api/items", "application/json", `${"[".repeat(5000)}${"]".repeat(4999)}`),
];

const protoJson: readonly Buffer[] = [
  post("/api/items", "application/json", '{"name":"x","__proto__":{"polluted":true}}'),
  post("/api/items", "application/json", '{"name":"x","constructor":{"prototype":{"polluted":1}}}'),
  post("/api/items", "application/json", '{"name":"x","meta":{"\\u005f_proto__":{"polluted":1}}}'),
  post("/api/items", "application/json", '[{"__proto__":{"polluted":true}}]'),
];

const protoForm: readonly Buffer[] = [
  post(
    "/form",
    "application/x-www-form-urlencoded",
    "__proto__[polluted]=1&constructor[prototype][polluted]=1&__proto__=x",
  ),
  Buffer.from(
    `GET /api/users/ada/posts/x?__proto__[polluted]=1&constructor.prototype.polluted=1 HTTP/1.1\r\n${HOST}\r\n`,
  ),
  post(
    "/upload",
    MULTIPART,
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="constructor"\r\n\r\ny\r\n` +
      `${filePartHead()}z\r\n--${BOUNDARY}--\r\n`,
  ),
];

const badMultipart: readonly Buffer[] = [
  post("/upload", "multipart/form-data", `--${BOUNDARY}\r\n\r\n`),
  post("/upload", MULTIPART, `${filePartHead()}never closed`),
  post(
    "/upload",
    MULTIPART,
    `--${BOUNDARY}\r\nContent-Disposition: form-data; filename="a.txt"\r\n\r\nno name\r\n--${BOUNDARY}--\r\n`,
  ),
  post("/upload", `multipart/form-data; boundary=${"x".repeat(80)}`, "--x\r\n"),
];

const garbage: readonly (string | Buffer)[] = [
  Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 7) % 256)),
  `GET / HTTP/1.1\r\n${HOST}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
  `POST /api/items HTTP/1.1\r\n${HOST}Content-Length: 3\r\nContent-Length: 7\r\n\r\nabcdefg`,
  "GET /\u0000 HTTP/1.1\r\n\r\n",
  "HELLO THERE\r\n\r\n",
  `GET / HTTP/1.1\r\n${HOST}Bad Header Name: x\r\n\r\n`,
  `GET / HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked, identity\r\n\r\n`,
];

export const hostileKinds: readonly HostileKind[] = [
  {
    name: "path traversal",
    expected: ["400", "404"],
    variants: traversal.length,
    script: (n) => oneShot(`GET ${pick(traversal, n)} HTTP/1.1\r\n${HOST}\r\n`),
  },
  {
    name: "malformed percent-encoding",
    expected: ["400"],
    variants: badPercent.length,
    script: (n) => oneShot(`GET ${pick(badPercent, n)} HTTP/1.1\r\n${HOST}\r\n`),
  },
  {
    name: "oversized body, Content-Length",
    // The server closes without reading the rest: a client still writing may see the reset first.
    expected: ["413", "reset"],
    variants: 2,
    script: (n) => {
      const [path, type] =
        n % 2 === 0 ? ["/api/items", "application/json"] : ["/upload", MULTIPART];
      const head = `POST ${path} HTTP/1.1\r\n${HOST}Content-Type: ${type}\r\nContent-Length: ${64 * MIB}\r\n\r\n`;
      return {
        send: async (socket, answered) => {
          await write(socket, head);
          await flood(socket, answered, Buffer.alloc(64 * 1024, 0x61), 8 * MIB);
        },
        timeoutMs: TIMEOUT,
      };
    },
  },
  {
    name: "oversized body, chunked",
    // The server closes without reading the rest: a client still writing may see the reset first.
    expected: ["413", "reset"],
    variants: 2,
    script: (n) => {
      const [path, type, first] =
        n % 2 === 0
          ? ["/api/items", "application/json", '{"name":"']
          : ["/upload", MULTIPART, filePartHead()];
      const head = `POST ${path} HTTP/1.1\r\n${HOST}Content-Type: ${type}\r\nTransfer-Encoding: chunked\r\n\r\n`;
      const chunk = Buffer.concat([
        Buffer.from("10000\r\n"),
        Buffer.alloc(0x10000, 0x61),
        Buffer.from("\r\n"),
      ]);
      return {
        send: async (socket, answered) => {
          await write(socket, `${head}${first.length.toString(16)}\r\n${first}\r\n`);
          await flood(socket, answered, chunk, 8 * MIB);
        },
        timeoutMs: TIMEOUT,
      };
    },
  },
  {
    name: "bad JSON",
    expected: ["400", "415"],
    variants: badJson.length,
    script: (n) => oneShot(pick(badJson, n)),
  },
  {
    name: "prototype keys in JSON",
    expected: ["400"],
    variants: protoJson.length,
    script: (n) => oneShot(pick(protoJson, n)),
  },
  {
    name: "prototype keys in form, query, multipart",
    expected: ["200", "201"],
    variants: protoForm.length,
    script: (n) => oneShot(pick(protoForm, n)),
  },
  {
    name: "malformed multipart",
    expected: ["400"],
    variants: badMultipart.length,
    script: (n) => oneShot(pick(badMultipart, n)),
  },
  {
    name: "huge headers",
    expected: ["431"],
    variants: 3,
    script: (n) => {
      const variants = [
        `GET /api/users/1 HTTP/1.1\r\n${HOST}X-Big: ${"a".repeat(20_000)}\r\n\r\n`,
        `GET /api/users/1 HTTP/1.1\r\n${HOST}${Array.from({ length: 1000 }, (_, i) => `X-H${i}: ${"b".repeat(20)}\r\n`).join("")}\r\n`,
        `GET /api/users/1?q=${"c".repeat(20_000)} HTTP/1.1\r\n${HOST}\r\n`,
      ];
      return oneShot(pick(variants, n));
    },
  },
  {
    name: "slowloris (headers trickled)",
    expected: ["408", "closed"],
    variants: 1,
    script: () => ({
      send: async (socket, answered) => {
        await write(socket, `GET /api/users/1 HTTP/1.1\r\n${HOST}`);
        for (let i = 0; !answered(); i++) {
          await sleep(SLOWLORIS_TRICKLE_MS);
          if (!answered()) await write(socket, i % 8 === 7 ? "\r\n" : i % 8 === 0 ? "X-S: " : "s");
        }
      },
      timeoutMs: SLOWLORIS_GIVE_UP_MS,
    }),
  },
  {
    name: "client aborts mid-upload",
    expected: ["aborted"],
    variants: 4,
    script: (n) => {
      const declared = 900 * 1024;
      const head = `POST /upload HTTP/1.1\r\n${HOST}Content-Type: ${MULTIPART}\r\nContent-Length: ${declared}\r\n\r\n`;
      const sent = (1 + (n % 4)) * 64 * 1024;
      return {
        send: (socket) =>
          write(
            socket,
            Buffer.concat([Buffer.from(head + filePartHead()), Buffer.alloc(sent, 0x62)]),
          ),
        abortAfterMs: 30 + (n % 4) * 50,
        timeoutMs: TIMEOUT,
      };
    },
  },
  {
    name: "client aborts mid-download",
    expected: ["aborted"],
    variants: 2,
    script: (n) => {
      const path = pick(["/static/big.bin", "/stream?chunks=4096"], n);
      return {
        send: (socket) => write(socket, `GET ${path} HTTP/1.1\r\n${HOST}\r\n`),
        // Stop reading so the server's writes back up, then hang up on it.
        onStatus: async (status, socket) => {
          if (status !== 200) return undefined;
          socket.pause();
          await sleep(100 + (n % 2) * 200);
          socket.destroy();
          return "aborted";
        },
        timeoutMs: TIMEOUT,
      };
    },
  },
  {
    name: "garbage bytes",
    expected: ["400", "closed"],
    variants: garbage.length,
    script: (n) => oneShot(pick(garbage, n)),
  },
];

/** Counts of outcomes per kind, and how long slowloris sockets were held. */
export interface HostileStats {
  started: number;
  finished: number;
  /** kind name -> outcome -> count */
  outcomes: Record<string, Record<string, number>>;
  /** Milliseconds each finished slowloris socket stayed open. */
  slowlorisMs: number[];
}

/**
 * Starts one attack every `1000 / perSecond` ms, cycling through the kinds, until `stop()`;
 * `stop()` cuts every attack still open and resolves when all have ended.
 */
export function startHostile(port: number, perSecond: number) {
  const stats: HostileStats = { started: 0, finished: 0, outcomes: {}, slowlorisMs: [] };
  const controller = new AbortController();
  // Every open attack listens for the stop; a hundred slowloris sockets are not a leak.
  setMaxListeners(0, controller.signal);
  const open = new Set<Promise<void>>();
  const counters = new Map<string, number>();
  let next = 0;
  const launch = () => {
    const kind = hostileKinds[next++ % hostileKinds.length] as HostileKind;
    const n = counters.get(kind.name) ?? 0;
    counters.set(kind.name, n + 1);
    stats.started++;
    const run = exchange(port, kind.script(n), controller.signal).then((result: Exchange) => {
      stats.finished++;
      const byOutcome = stats.outcomes[kind.name] ?? {};
      stats.outcomes[kind.name] = byOutcome;
      byOutcome[result.outcome] = (byOutcome[result.outcome] ?? 0) + 1;
      if (kind.name.startsWith("slowloris") && result.outcome !== "cut at stop") {
        stats.slowlorisMs.push(result.ms);
      }
      open.delete(run);
    });
    open.add(run);
  };
  const timer = setInterval(launch, 1000 / perSecond);
  return {
    stats,
    /** Attacks still in progress. */
    get open(): number {
      return open.size;
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      controller.abort();
      await Promise.all(open);
    },
  };
}
