import assert from "node:assert/strict";
import { Agent, createServer, get as httpGet, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { Phial } from "../../src/index.ts";

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
});
