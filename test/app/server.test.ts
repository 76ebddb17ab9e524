import assert from "node:assert/strict";
import { Agent, createServer, get as httpGet, type IncomingMessage } from "node:http";
import { connect as connectHttp2, createServer as createHttp2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { Phial } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";

function fetchText(
  port: number,
  path: string,
  agent?: Agent,
): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet({ host: "127.0.0.1", port, path, agent: agent ?? false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ res, body }));
    }).on("error", reject);
  });
}

describe("serving on node:http", () => {
  test("listening twice is refused with the stable code already_listening", async () => {
    const app = new Phial({ staticFolder: null });
    await app.listen({ port: 0 });
    try {
      await assert.rejects(app.listen({ port: 0 }), {
        name: "SetupError",
        code: "already_listening",
      });
    } finally {
      await app.close();
    }
  });

  test("listen({ port: 0 }) resolves to the listening Server; close() stops it", async () => {
    const app = new Phial();
    app.get("/", () => "hello");
    const server = await app.listen({ port: 0 });
    const port = (server.address() as AddressInfo).port;
    assert.ok(port > 0);
    assert.equal(app.address()?.port, port);
    assert.equal((await fetchText(port, "/")).body, "hello");
    await app.close();
    assert.equal(server.listening, false);
    await assert.rejects(fetchText(port, "/"));
  });

  test("listen rejects on a port in use and validates config first", async () => {
    const a = new Phial();
    const server = await a.listen({ port: 0 });
    const b = new Phial();
    await assert.rejects(b.listen({ port: (server.address() as AddressInfo).port }), {
      code: "EADDRINUSE",
    });
    await a.close();
    const bad = new Phial({ config: { maxContentLength: -1 } });
    await assert.rejects(async () => bad.listen({ port: 0 }), /maxContentLength/);
  });

  test("app.handler works with a plain http.createServer", async () => {
    const app = new Phial();
    app.get("/x/<int:n>", (req) => ({ n: req.params.n }));
    const server = createServer(app.handler);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    assert.equal((await fetchText(port, "/x/7")).body, '{"n":7}');
    await new Promise((r) => server.close(r));
  });

  test("close() lets an in-flight request finish and closes idle keep-alive sockets", async () => {
    const app = new Phial();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started: () => void = () => {};
    const inFlight = new Promise<void>((r) => {
      started = r;
    });
    app.get("/slow", async () => {
      started();
      await gate;
      return "finished";
    });
    app.get("/fast", () => "fast");
    await app.listen({ port: 0 });
    const port = app.address()?.port ?? 0;
    const agent = new Agent({ keepAlive: true });
    await fetchText(port, "/fast", agent); // leaves an idle keep-alive socket behind
    const slow = fetchText(port, "/slow");
    await inFlight;
    const closed = app.close({ timeout: 5000 });
    release();
    const { res, body } = await slow;
    assert.equal(body, "finished");
    assert.equal(res.headers.connection, "close");
    await closed; // resolves only once the idle keep-alive socket was closed too
    agent.destroy();
  });

  test("close() forces sockets still open after the deadline", async () => {
    const app = new Phial();
    app.get("/hang", () => new Promise<string>(() => {}));
    await app.listen({ port: 0 });
    const port = app.address()?.port ?? 0;
    const hung = fetchText(port, "/hang").catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await app.close({ timeout: 100 });
    assert.ok(Date.now() - t0 < 3000);
    assert.ok((await hung) instanceof Error);
  });

  test("app.handler works with http2 in compatibility mode, bodies and streams included", async () => {
    const app = new Phial();
    app.get("/x/<int:n>", (req) => ({ n: req.params.n }));
    app.post("/echo", async (req) => ({ got: await req.json() }));
    app.post("/refuse", () => "not reading the body");
    app.get("/gen", function* gen() {
      yield "a";
      yield "b";
    });
    const server = createHttp2Server(app.handler);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const session = connectHttp2(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const send = (path: string, method = "GET", json?: unknown) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const headers: Record<string, string> = { ":path": path, ":method": method };
        if (json !== undefined) headers["content-type"] = "application/json";
        const stream = session.request(headers);
        let status = 0;
        let body = "";
        stream.on("response", (h) => {
          status = Number(h[":status"]);
        });
        stream.setEncoding("utf8");
        stream.on("data", (c) => {
          body += c;
        });
        stream.on("end", () => resolve({ status, body }));
        stream.on("error", reject);
        stream.end(json === undefined ? undefined : JSON.stringify(json));
      });
    try {
      assert.deepEqual(await send("/x/5"), { status: 200, body: '{"n":5}' });
      assert.deepEqual(await send("/echo", "POST", { a: 1 }), {
        status: 200,
        body: '{"got":{"a":1}}',
      });
      assert.equal((await send("/refuse", "POST", { big: "x".repeat(1000) })).status, 200);
      assert.deepEqual(await send("/gen"), { status: 200, body: "ab" });
      assert.equal((await send("/nope")).status, 404);
    } finally {
      session.close();
      await new Promise((r) => server.close(r));
    }
  });

  test("http2: the README's session timeout closes idle and stalled sessions", async () => {
    // http2 servers take none of app.serverOptions(): without this, both sessions stay open.
    const app = new Phial({ logger: silentLogger() });
    app.post("/upload", async (req) => ({ size: (await req.bytes()).length }));
    const server = createHttp2Server(app.handler);
    server.on("session", (session) => {
      session.setTimeout(200, () => session.destroy());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const idle = connectHttp2(url);
    const stalled = connectHttp2(url);
    const upload = stalled.request({ ":method": "POST", ":path": "/upload" });
    upload.write("the rest never comes");
    for (const end of [idle, stalled, upload]) end.on("error", () => {});
    const closed = (session: typeof idle) =>
      new Promise<boolean>((resolve) => {
        session.once("close", () => resolve(true));
        setTimeout(() => resolve(false), 5000).unref();
      });
    try {
      assert.deepEqual(await Promise.all([closed(idle), closed(stalled)]), [true, true]);
    } finally {
      idle.destroy();
      stalled.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  test("app.handler with an invalid config answers 500 and logs, instead of crashing", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger, config: { maxFormParts: 0 } });
    app.get("/", () => "never");
    const server = createServer(app.handler);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { res, body } = await fetchText((server.address() as AddressInfo).port, "/");
      assert.equal(res.statusCode, 500);
      assert.doesNotMatch(body, /maxFormParts/);
      assert.match(String(logger.errors[0]?.[0]), /config\.maxFormParts/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
