import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, test } from "node:test";
import { Phial } from "../../src/index.ts";

describe("the request object", () => {
  test("method, path, rawPath, url, query, headers, cookies, ip, host, protocol", async () => {
    const app = new Phial();
    app.get("/café/<name>", (req) => ({
      method: req.method,
      path: req.path,
      rawPath: req.rawPath,
      url: req.url,
      tags: req.query.getAll("tag"),
      q: req.query.get("q"),
      missing: req.query.get("missing"),
      header: req.headers["x-custom"],
      cookie: req.cookies.flavour,
      inheritsObject: "toString" in req.cookies || "hasOwnProperty" in req.cookies,
      ip: req.ip,
      host: req.host,
      protocol: req.protocol,
      endpoint: req.endpoint,
      name: req.params.name,
    }));
    const client = app.testClient();
    client.setCookie("flavour", "oat milk");
    const res = await client.get("/caf%C3%A9/ad%20a?tag=a&tag=b&q=x%20y", {
      headers: { "x-custom": "yes" },
    });
    assert.equal(res.status, 200);
    const data = (await res.json()) as Record<string, unknown>;
    assert.equal(data.method, "GET");
    assert.equal(data.path, "/café/ad a");
    assert.equal(data.rawPath, "/caf%C3%A9/ad%20a");
    assert.match(String(data.url), /^http:\/\/[^/]+\/caf%C3%A9\/ad%20a\?tag=a&tag=b&q=x%20y$/);
    assert.deepEqual(data.tags, ["a", "b"]);
    assert.equal(data.q, "x y");
    assert.equal(data.missing, null);
    assert.equal(data.header, "yes");
    assert.equal(data.cookie, "oat milk");
    assert.equal(data.inheritsObject, false);
    assert.equal(typeof data.ip, "string");
    assert.notEqual(data.host, "");
    assert.equal(data.protocol, "http");
    assert.equal(data.name, "ad a");
  });

  test("g is per request", async () => {
    const app = new Phial();
    app.beforeRequest((req) => {
      req.g.count = ((req.g.count as number | undefined) ?? 0) + 1;
    });
    app.get("/", (req) => ({ count: req.g.count }));
    const client = app.testClient();
    assert.deepEqual(await (await client.get("/")).json(), { count: 1 });
    assert.deepEqual(await (await client.get("/")).json(), { count: 1 });
  });
});

describe("body readers", () => {
  function echoApp(config: Record<string, number> = {}): Phial {
    const app = new Phial({ config });
    app.post("/json", async (req) => ({ got: await req.json() }));
    app.post("/text", async (req) => ({ got: await req.text() }));
    app.post("/bytes", async (req) => ({ length: (await req.bytes()).length }));
    app.post("/form", async (req) => {
      const form = await req.form();
      return { name: form.get("name"), tags: form.getAll("tag") };
    });
    return app;
  }

  test("json: parsed; 415 for other types; 400 for empty, bad or non-UTF-8", async () => {
    const client = echoApp().testClient();
    assert.deepEqual(await (await client.post("/json", { json: { a: [1] } })).json(), {
      got: { a: [1] },
    });
    const problem = await client.post("/json", {
      body: '{"x":1}',
      headers: { "content-type": "application/problem+json" },
    });
    assert.equal(problem.status, 200);
    assert.equal(
      (await client.post("/json", { body: "{}", headers: { "content-type": "text/plain" } }))
        .status,
      415,
    );
    assert.equal((await client.post("/json", { body: "{}" })).status, 415);
    const json = { "content-type": "application/json" };
    assert.equal((await client.post("/json", { body: "", headers: json })).status, 400);
    assert.equal((await client.post("/json", { body: "{bad", headers: json })).status, 400);
    assert.equal(
      (await client.post("/json", { body: Buffer.from([0x22, 0xff, 0x22]), headers: json })).status,
      400,
    );
    assert.equal(
      (
        await client.post("/json", {
          body: "{}",
          headers: { "content-type": "application/json; charset=latin1" },
        })
      ).status,
      415,
    );
    assert.equal(
      (await client.post("/json", { body: "{}", headers: { "content-type": "garbage" } })).status,
      415,
    );
  });

  test("json: __proto__ keys are refused and never pollute", async () => {
    const client = echoApp().testClient();
    const res = await client.post("/json", {
      body: '{"__proto__":{"polluted":true}}',
      headers: { "content-type": "application/json" },
    });
    assert.equal(res.status, 400);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test("text decodes the declared charset", async () => {
    const client = echoApp().testClient();
    const res = await client.post("/text", {
      body: Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      headers: { "content-type": "text/plain; charset=latin1" },
    });
    assert.deepEqual(await res.json(), { got: "café" });
  });

  test("form: urlencoded multi-value; 415 for other types; empty without a body", async () => {
    const client = echoApp().testClient();
    const res = await client.post("/form", { form: { name: "Ada", tag: ["x", "y"] } });
    assert.deepEqual(await res.json(), { name: "Ada", tags: ["x", "y"] });
    assert.deepEqual(await (await client.post("/form")).json(), { name: null, tags: [] });
    assert.equal((await client.post("/form", { json: { name: "x" } })).status, 415);
  });

  test("limits: 413 from Content-Length and from counted chunked bytes", async () => {
    const client = echoApp({ maxContentLength: 10, maxFormParts: 2 }).testClient();
    assert.deepEqual(await (await client.post("/bytes", { body: "0123456789" })).json(), {
      length: 10,
    });
    assert.equal((await client.post("/bytes", { body: "01234567890" })).status, 413);
    const form = await client.post("/form", {
      body: "a=1&b=2&c=3",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(form.status, 413);
  });

  test("too many query parameters is 400", async () => {
    const app = new Phial({ config: { maxQueryParams: 3 } });
    app.get("/", (req) => ({ n: req.query.size }));
    const client = app.testClient();
    assert.deepEqual(await (await client.get("/?a=1&b=2&c=3")).json(), { n: 3 });
    assert.equal((await client.get("/?a=1&b=2&c=3&d=4")).status, 400);
  });
});

describe("req.signal", () => {
  test("aborts when the client goes away mid-request (real socket)", {
    timeout: 10_000,
  }, async () => {
    const app = new Phial();
    let aborted: (reason: unknown) => void = () => {};
    const abortedPromise = new Promise<unknown>((r) => {
      aborted = r;
    });
    let entered: () => void = () => {};
    const enteredPromise = new Promise<void>((r) => {
      entered = r;
    });
    app.get("/wait", (req) => {
      entered();
      return new Promise<string>((resolve) => {
        req.signal.addEventListener("abort", () => {
          aborted(req.signal.reason);
          resolve("too late");
        });
      });
    });
    app.get("/done", (req) => ({ aborted: req.signal.aborted }));
    await app.listen({ port: 0 });
    try {
      const port = app.address()?.port ?? 0;
      const socket = connect(port, "127.0.0.1");
      socket.write("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
      await enteredPromise;
      socket.destroy();
      const reason = await abortedPromise;
      assert.ok(reason instanceof Error);
      assert.equal(reason.name, "AbortError");
      const res = await fetch(`http://127.0.0.1:${port}/done`);
      assert.deepEqual(await res.json(), { aborted: false });
    } finally {
      await app.close({ timeout: 100 });
    }
  });

  test("req.stream hands over the raw body once; the buffered readers then refuse", async () => {
    const app = new Phial();
    const failure = (err: unknown) => (err instanceof TypeError ? err.message : String(err));
    app.post("/stream", async (req) => {
      let size = 0;
      for await (const chunk of req.stream) size += (chunk as Buffer).length;
      const after = await req.text().catch(failure);
      return { size, after };
    });
    app.post("/text-then-stream", async (req) => {
      const text = await req.text();
      let again: string;
      try {
        void req.stream;
        again = "no error";
      } catch (err) {
        again = failure(err);
      }
      return { text, again };
    });
    app.post("/raw-then-text", async (req) => {
      for await (const _ of req.raw) {
        // The app read the IncomingMessage itself.
      }
      return { text: await req.text().catch(failure) };
    });
    app.post("/bytes-then-files", async (req) => {
      await req.bytes();
      return { files: await req.files().then(() => "no error", failure) };
    });
    app.post("/empty-multipart", async (req) => {
      const form = await req.form();
      return { fields: [...form.keys()], files: [...(await req.files()).keys()] };
    });
    const client = app.testClient();
    const body = "x".repeat(100_000);
    const streamed = await client.post("/stream", { body });
    assert.deepEqual(await streamed.json(), {
      size: 100_000,
      after: "The body was taken as req.stream.",
    });
    assert.deepEqual(await (await client.post("/text-then-stream", { body: "hi" })).json(), {
      text: "hi",
      again: "The body was already read with bytes()/text()/json()/form().",
    });
    assert.deepEqual(await (await client.post("/raw-then-text", { body: "hi" })).json(), {
      text: "The body stream was already consumed.",
    });
    const multipart = { "content-type": "multipart/form-data; boundary=XyZ" };
    const read = await client.post("/bytes-then-files", { body: "--XyZ--", headers: multipart });
    assert.deepEqual(await read.json(), { files: "The body was already read." });
    const empty = await client.post("/empty-multipart", { headers: multipart });
    assert.deepEqual(await empty.json(), { fields: [], files: [] });
  });
});
