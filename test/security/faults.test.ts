/**
 * Security rule 11 over a real socket: handlers that throw, reject, return failing streams,
 * invalid headers or invalid statuses. After each fault the next request is answered, no file
 * descriptor or listener is left behind, teardownRequest ran once with the error, nothing went
 * unhandled, and no error detail reached the client. Each fault runs on the fast path (an app
 * scope without before/after hooks) and through the full lifecycle (a blueprint with a hook),
 * with and without context locals, over keep-alive and `Connection: close` connections.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { Blueprint, Phial, Response, request, sendFile } from "../../src/index.ts";
import type { Scaffold } from "../../src/scaffold.ts";
import { type Fault, FaultServer, injectFault, SECRET } from "../helpers/faults.ts";
import { silentLogger } from "../helpers/logger.ts";

const dir = mkdtempSync(path.join(tmpdir(), "phial-faults-"));
const file = path.join(dir, "data.bin");
writeFileSync(file, Buffer.alloc(256 * 1024, 7));

function boom(): Error {
  return new Error(`${SECRET}: the handler broke`);
}

/** The handler faults, registered on `target` (the app, or a blueprint). */
function addFaultRoutes(target: Scaffold, rig: FaultServer, contextLocals: boolean): void {
  target.get("/file", () => sendFile(file));
  target.get("/throw", () => {
    throw boom();
  });
  target.get("/reject", async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw boom();
  });
  target.get("/throw-string", () => {
    throw SECRET;
  });
  target.get("/undefined", () => undefined as unknown as string);
  target.get("/bigint", () => ({ n: 1n }));
  target.get("/node-stream", () => {
    let sent = false;
    return new Readable({
      read() {
        // The failure waits a turn, so the first chunk is on the wire before it.
        if (sent) setImmediate(() => this.destroy(boom()));
        else this.push("first;");
        sent = true;
      },
    });
  });
  target.get("/web-stream", () => {
    let sent = false;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent) {
          await new Promise((resolve) => setImmediate(resolve));
          controller.error(boom());
        } else {
          controller.enqueue(new TextEncoder().encode("first;"));
        }
        sent = true;
      },
    });
  });
  target.get("/generator", async function* () {
    yield "first;";
    // With context locals the generator still runs inside its request.
    if (contextLocals && request.headers["x-fault-id"] === undefined) yield "lost context;";
    await new Promise((resolve) => setImmediate(resolve));
    throw boom();
  });
  target.get(
    "/node-stream-early",
    () =>
      new Readable({
        read() {
          this.destroy(boom());
        },
      }),
  );
  target.get("/web-stream-early", () => {
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(boom());
      },
    });
  });
  target.get("/generator-early", async function* () {
    await new Promise((resolve) => setImmediate(resolve));
    throw boom();
  });
  target.get("/tuple-header-value", () => ["x", { "X-Note": `a\r\nX-Injected: ${SECRET}` }]);
  target.get("/tuple-header-name", () => ["x", { [`X ${SECRET}`]: "1" }]);
  target.get("/response-header", () => {
    const res = new Response("x");
    res.headers.set("X-Note", `a\nb ${SECRET}`);
    return res;
  });
  target.get("/web-response-header", () => {
    const headers = new Headers();
    headers.set("X-Note", `\u0001 ${SECRET}`);
    return new globalThis.Response("x", { headers });
  });
  target.get("/cookie-name", () => new Response("x").setCookie(`bad name ${SECRET}`, "1"));
  target.get("/cookie-path", () => new Response("x").setCookie("a", "1", { path: `/;${SECRET}` }));
  target.get("/cookie-domain", () =>
    new Response("x").setCookie("a", "1", { domain: `bad domain ${SECRET}` }),
  );
  target.get("/status-constructor", () => new Response("x", { status: 1000 }));
  target.get("/status-later", () => {
    const res = new Response("x");
    res.status = 42;
    return res;
  });
  target.get("/status-fraction", () => {
    const res = new Response("x");
    res.status = 200.5;
    return res;
  });
  target.get("/status-interim", () => ["x", 102]);
  target.get("/status-web-error", () => globalThis.Response.error());
  target.get("/status-later-stream", (req) => {
    const res = new Response(rig.fileStream(req, file));
    res.status = 42;
    return res;
  });
  target.get("/tuple-stream-header", (req) => [rig.fileStream(req, file), { "X-Note": "a\nb" }]);
}

const broke = new RegExp(`${SECRET}: the handler broke`);
const faults: readonly (Fault & { readonly why: string })[] = [
  { why: "a handler that throws", path: "/throw", answer: 500, teardown: broke },
  { why: "a handler that rejects", path: "/reject", answer: 500, teardown: broke },
  { why: "a handler that throws a string", path: "/throw-string", answer: 500, teardown: /s3cr3t/ },
  { why: "a handler returning undefined", path: "/undefined", answer: 500, teardown: /TypeError/ },
  { why: "a value JSON cannot encode", path: "/bigint", answer: 500, teardown: /BigInt/ },
  ...(["node-stream", "web-stream", "generator"] as const).flatMap((kind) => [
    {
      why: `a ${kind} failing after its first chunk`,
      path: `/${kind}`,
      answer: "cut" as const,
      firstChunk: "first;",
      teardown: broke,
    },
    {
      why: `a ${kind} failing before its first chunk`,
      path: `/${kind}-early`,
      answer: 500,
      teardown: broke,
    },
  ]),
  {
    why: "a tuple header value with CR/LF",
    path: "/tuple-header-value",
    answer: 500,
    teardown: /ERR_INVALID_CHAR/,
  },
  {
    why: "a tuple header name with a space",
    path: "/tuple-header-name",
    answer: 500,
    teardown: /ERR_INVALID_HTTP_TOKEN/,
  },
  {
    why: "Response#headers.set with LF",
    path: "/response-header",
    answer: 500,
    teardown: /ERR_INVALID_CHAR/,
  },
  {
    why: "a web Response header value",
    path: "/web-response-header",
    answer: 500,
    teardown: /TypeError/,
  },
  { why: "setCookie with a bad name", path: "/cookie-name", answer: 500, teardown: /TypeError/ },
  { why: "setCookie with a bad path", path: "/cookie-path", answer: 500, teardown: /TypeError/ },
  {
    why: "setCookie with a bad domain",
    path: "/cookie-domain",
    answer: 500,
    teardown: /TypeError/,
  },
  { why: "a status of 1000", path: "/status-constructor", answer: 500, teardown: /RangeError/ },
  {
    why: "a status set to 42 after construction",
    path: "/status-later",
    answer: 500,
    teardown: /RangeError/,
  },
  { why: "a fractional status", path: "/status-fraction", answer: 500, teardown: /RangeError/ },
  {
    why: "an interim (1xx) status as the answer",
    path: "/status-interim",
    answer: 500,
    teardown: /RangeError/,
  },
  {
    why: "a web Response.error() (status 0)",
    path: "/status-web-error",
    answer: 500,
    teardown: /RangeError/,
  },
  {
    why: "a file stream with an invalid status",
    path: "/status-later-stream",
    answer: 500,
    teardown: /RangeError/,
  },
  {
    why: "a file stream in a tuple with a bad header",
    path: "/tuple-stream-header",
    answer: 500,
    teardown: /ERR_INVALID_CHAR/,
  },
];

function makeRig(contextLocals: boolean): FaultServer {
  const rig = new FaultServer(new Phial({ logger: silentLogger(), contextLocals }));
  addFaultRoutes(rig.app, rig, contextLocals);
  // The same routes through the full lifecycle: a beforeRequest hook takes them off the fast path.
  const lifecycle = new Blueprint("lifecycle", { urlPrefix: "/lifecycle" });
  lifecycle.beforeRequest(() => undefined);
  addFaultRoutes(lifecycle, rig, contextLocals);
  rig.app.registerBlueprint(lifecycle);
  return rig;
}

for (const contextLocals of [false, true]) {
  describe(`handler faults (contextLocals: ${contextLocals})`, () => {
    const rig = makeRig(contextLocals);
    before(() => rig.start(["/probe", "/file"]));
    after(() => rig.close());

    for (const fault of faults) {
      test(`${fault.why}`, { timeout: 20_000 }, async () => {
        for (const prefix of ["", "/lifecycle"]) {
          for (const keepAlive of [true, false]) {
            await injectFault(rig, { ...fault, path: prefix + fault.path }, keepAlive);
          }
        }
      });
    }
  });
}

after(() => rmSync(dir, { recursive: true, force: true }));
