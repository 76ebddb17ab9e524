import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { TestClient } from "../../src/testing.ts";
import { forBothClients, SocketClient } from "../helpers/clients.ts";
import { type Echo, echoApp, readBody } from "../helpers/raw-apps.ts";

describe("TestClient basics", () => {
  forBothClients("methods, bodies and framing arrive as sent", echoApp, async (client) => {
    const get = (await client.get("/x")).json<Echo>();
    assert.equal(get.method, "GET");
    assert.equal(get.headers["content-length"], undefined);
    assert.equal(get.headers["transfer-encoding"], undefined);

    const json = (await client.post("/x", { json: { a: [1, "é"] } })).json<Echo>();
    assert.equal(json.method, "POST");
    assert.equal(json.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(json.text), { a: [1, "é"] });
    assert.equal(json.headers["content-length"], String(Buffer.byteLength(json.text)));

    const form = (
      await client.put("/x", { form: { q: "a b&c", n: [1, 2], ok: true } })
    ).json<Echo>();
    assert.equal(form.method, "PUT");
    assert.equal(form.headers["content-type"], "application/x-www-form-urlencoded");
    assert.equal(form.text, "q=a+b%26c&n=1&n=2&ok=true");

    const bytes = new Uint8Array([0, 255, 128, 10, 13]);
    const raw = (await client.patch("/x", { body: bytes })).json<Echo>();
    assert.equal(raw.method, "PATCH");
    assert.deepEqual(new Uint8Array(Buffer.from(raw.body, "base64")), bytes);
    assert.equal(raw.headers["content-type"], undefined);

    const text = (await client.open("delete", "/x", { body: "plain" })).json<Echo>();
    assert.equal(text.method, "DELETE");
    assert.equal(text.text, "plain");

    const options = (await client.options("*")).json<Echo>();
    assert.equal(options.url, "*");
  });

  it("rejects more than one body option", async () => {
    const client = new TestClient(echoApp());
    await assert.rejects(client.post("/", { json: 1, body: "x" }), TypeError);
  });

  forBothClients("query strings are encoded and appended", echoApp, async (client) => {
    const url = async (path: string, query: Parameters<typeof client.get>[1]) =>
      (await client.get(path, query)).json<Echo>().url;
    assert.equal(
      await url("/s", {
        query: { q: "a b&c=d/é", n: 3, on: false, tag: ["x", "y"], skip: undefined },
      }),
      "/s?q=a+b%26c%3Dd%2F%C3%A9&n=3&on=false&tag=x&tag=y",
    );
    assert.equal(await url("/s?a=1", { query: new URLSearchParams([["b", "2"]]) }), "/s?a=1&b=2");
    assert.equal(await url("/s?", { query: { b: 2 } }), "/s?b=2");
    assert.equal(await url("/s", { query: {} }), "/s");
  });

  forBothClients(
    "headers: defaults, overrides, removal, Host from baseUrl",
    echoApp,
    async (client) => {
      const first = (await client.get("/", { headers: { "X-One": "1" } })).json<Echo>();
      assert.equal(first.headers.host, "example.test:8080");
      assert.equal(first.headers["x-default"], "d");
      assert.equal(first.headers["x-one"], "1");
      assert.ok(first.rawHeaders.includes("X-One"), "header name case is kept");
      assert.equal(first.remoteAddress, "127.0.0.1");

      const second = (
        await client.get("/", { headers: { "x-default": "override", "user-agent": undefined } })
      ).json<Echo>();
      assert.equal(second.headers["x-default"], "override");
      assert.equal(second.headers["user-agent"], undefined);

      const multi = (await client.get("/", { headers: { "x-multi": ["a", "b"] } })).json<Echo>();
      assert.equal(multi.headers["x-multi"], "a, b");
    },
    { baseUrl: "http://example.test:8080", headers: { "X-Default": "d", "User-Agent": "ua" } },
  );

  forBothClients("raw paths reach req.url untouched", echoApp, async (client) => {
    for (const path of [
      "/a/../b",
      "/%2e%2e/x",
      "/a%2Fb",
      "//x",
      "/./x/.",
      "/a/%2E%2E%2fb",
      "/%00",
      "/%zz",
      "/a\\b",
      "/x?y=../z&%2F",
      "/a#frag",
    ]) {
      const res = await client.get(path);
      assert.equal(res.json<Echo>().url, path);
      assert.equal(res.path, path);
      assert.equal(res.url, `http://localhost${path}`);
    }
    await assert.rejects(client.get("/a b"), { code: "ERR_UNESCAPED_CHARACTERS" });
    // Sent as one latin1 byte, which Node's parser refuses: non-ASCII must be percent-encoded.
    assert.equal((await client.get("/é")).status, 400);
  });

  forBothClients("HEAD has no body but keeps the headers", echoApp, async (client) => {
    const res = await client.head("/page");
    assert.equal(res.status, 200);
    assert.equal(res.text(), "");
    assert.equal(res.headers.get("content-type"), "application/json");
  });

  forBothClients("concurrent requests on one client", echoApp, async (client) => {
    const paths = Array.from({ length: 25 }, (_, i) => `/n/${i}`);
    const results = await Promise.all(paths.map((p, i) => client.post(p, { body: `body-${i}` })));
    results.forEach((res, i) => {
      const data = res.json<Echo>();
      assert.equal(data.url, paths[i]);
      assert.equal(data.text, `body-${i}`);
    });
  });

  forBothClients(
    "large bodies stream both ways intact",
    () => async (req: IncomingMessage, res: ServerResponse) => res.end(await readBody(req)),
    async (client) => {
      const big = Buffer.alloc(5 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 251;
      const res = await client.post("/big", { body: big });
      assert.equal(Buffer.compare(res.buffer, big), 0);
    },
  );

  forBothClients(
    "a destroyed connection rejects the request",
    () => (req: IncomingMessage) => req.socket.destroy(),
    async (client) => {
      await assert.rejects(client.get("/"), { code: "ECONNRESET" });
    },
  );

  it("an answer sent before the body was read reaches the caller, not a write error", async () => {
    // Node's parser answers 431 to oversized headers and closes at once; the body still being
    // written must not turn that answer into EPIPE.
    const client = new TestClient(echoApp());
    const big = { "x-big": "a".repeat(20_000) };
    for (const body of ["x", "x".repeat(1_000_000)]) {
      const res = await client.post("/", { body, headers: big });
      assert.equal(res.status, 431, `a ${body.length}-byte body`);
    }
    // A server that closes without answering is still an error.
    const closing = new TestClient((req: IncomingMessage) => req.socket.destroy());
    await assert.rejects(closing.post("/", { body: "x".repeat(1_000_000) }), {
      code: "ECONNRESET",
    });
  });

  it("response helpers: statusText, Headers, json errors, bytes", async () => {
    const client = new TestClient((_req, res) => {
      res.statusMessage = "Teapot";
      res.writeHead(418, [
        ["Set-Cookie", "a=1"],
        ["Set-Cookie", "b=2"],
        ["Content-Type", "text/plain"],
      ]);
      res.end("not json");
    });
    const res = await client.get("/t");
    assert.equal(res.status, 418);
    assert.equal(res.statusText, "Teapot");
    assert.equal(res.ok, false);
    assert.deepEqual(res.headers.getSetCookie(), ["a=1", "b=2"]);
    assert.equal(res.headers.has("CONTENT-TYPE"), true);
    assert.deepEqual(res.bytes(), new TextEncoder().encode("not json"));
    assert.throws(() => res.json(), /GET \/t answered 418 \(text\/plain\), not JSON: "not json"/);
  });

  it("accepts an app object and calls handler as its method; https baseUrl looks encrypted", async () => {
    class App {
      greeting = "hi";
      get handler() {
        return (_req: IncomingMessage, res: ServerResponse) => {
          res.end(`${this.greeting} ${(_req.socket as { encrypted?: boolean }).encrypted}`);
        };
      }
    }
    const client = new TestClient(new App(), { baseUrl: "https://localhost" });
    assert.equal((await client.get("/")).text(), "hi true");
  });

  it("validates baseUrl and refuses requests after close", async () => {
    assert.throws(() => new TestClient(echoApp(), { baseUrl: "http://localhost/api" }), TypeError);
    assert.throws(() => new TestClient(echoApp(), { baseUrl: "ftp://localhost" }), TypeError);
    const client = new TestClient(echoApp());
    await client.close();
    await assert.rejects(client.get("/"), /closed/);
  });
});

describe("process lifetime", () => {
  it("SocketClient.close() releases its server and sockets", async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
    const client = await SocketClient.start(echoApp());
    await Promise.all([client.get("/"), client.get("/")]);
    await client.close();
    const after = process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
    assert.equal(after, before);
  });

  it("a script using TestClient exits without close()", () => {
    const testing = new URL("../../src/testing.ts", import.meta.url).href;
    const script = `
      import { TestClient } from ${JSON.stringify(testing)};
      const client = new TestClient((req, res) => { res.setHeader("set-cookie", "a=1"); res.end("ok"); });
      const results = await Promise.all([client.get("/"), client.post("/", { json: 1 }), client.get("/")]);
      console.log(results.map((r) => r.text()).join(","));
    `;
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "--eval", script],
      { cwd: fileURLToPath(new URL("../..", import.meta.url)), encoding: "utf8", timeout: 15_000 },
    );
    assert.equal(child.error, undefined, "the child did not exit by itself");
    assert.equal(child.stderr, "");
    assert.equal(child.stdout.trim(), "ok,ok,ok");
    assert.equal(child.status, 0);
  });
});
