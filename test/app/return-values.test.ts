import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { jsonify, makeResponse, Phial, Response } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";

function appWith(register: (app: Phial) => void): Phial {
  const app = new Phial({ logger: silentLogger() });
  register(app);
  return app;
}

describe("return values become responses (Flask's make_response rules)", () => {
  test("string -> text/html; charset=utf-8", async () => {
    const res = await appWith((a) => a.get("/", () => "<b>hi</b>"))
      .testClient()
      .get("/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await res.text(), "<b>hi</b>");
  });

  test("bytes -> application/octet-stream", async () => {
    const res = await appWith((a) => a.get("/", () => Buffer.from([1, 2, 3])))
      .testClient()
      .get("/");
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    assert.deepEqual([...(await res.bytes())], [1, 2, 3]);
  });

  test("objects and arrays -> JSON", async () => {
    const client = appWith((a) => {
      a.get("/obj", () => ({ hello: "world" }));
      a.get("/arr", () => [1, "two", { three: 3 }]);
    }).testClient();
    const obj = await client.get("/obj");
    assert.match(obj.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(await obj.json(), { hello: "world" });
    assert.deepEqual(await (await client.get("/arr")).json(), [1, "two", { three: 3 }]);
  });

  test("async handlers, tuples with status and headers", async () => {
    const client = appWith((a) => {
      a.post("/created", async () => [{ id: 1 }, 201]);
      a.get("/headers", () => ["ok", { "X-Thing": "yes" }]);
      a.get("/both", () => ["gone", 410, { "X-Why": "moved on" }]);
    }).testClient();
    const created = await client.post("/created");
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { id: 1 });
    const headers = await client.get("/headers");
    assert.equal(headers.status, 200);
    assert.equal(headers.headers.get("x-thing"), "yes");
    const both = await client.get("/both");
    assert.equal(both.status, 410);
    assert.equal(both.headers.get("x-why"), "moved on");
    assert.equal(await both.text(), "gone");
  });

  test("streams: Node Readable, web ReadableStream, generators and async iterables", async () => {
    const client = appWith((a) => {
      a.get("/readable", () => Readable.from([Buffer.from("a"), Buffer.from("b")]));
      a.get(
        "/web",
        () =>
          new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(new TextEncoder().encode("web"));
              c.close();
            },
          }),
      );
      a.get("/gen", function* gen() {
        yield "one,";
        yield "two";
      });
      a.get("/agen", async function* agen() {
        yield "x";
        await new Promise((r) => setTimeout(r, 5));
        yield "y";
      });
    }).testClient();
    assert.equal(await (await client.get("/readable")).text(), "ab");
    assert.equal(await (await client.get("/web")).text(), "web");
    const gen = await client.get("/gen");
    assert.equal(await gen.text(), "one,two");
    assert.equal(gen.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await (await client.get("/agen")).text(), "xy");
  });

  test("phial Response, web Response, makeResponse and jsonify pass through", async () => {
    const client = appWith((a) => {
      a.get("/phial", () => {
        const r = new Response("made", { status: 202 });
        r.setCookie("flavour", "oat", { httpOnly: true, maxAge: 60 });
        return r;
      });
      a.get(
        "/web",
        () => new globalThis.Response("from web", { status: 203, headers: { "X-Web": "1" } }),
      );
      a.get("/make", () => makeResponse("made", 201, { "X-Made": "1" }));
      a.get("/jsonify", () => jsonify([{ a: 1 }, 201]));
    }).testClient();
    const phial = await client.get("/phial");
    assert.equal(phial.status, 202);
    const cookie = phial.headers.getSetCookie()[0] ?? "";
    assert.match(cookie, /^flavour=oat/);
    assert.match(cookie, /Path=\//);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Max-Age=60/);
    const web = await client.get("/web");
    assert.equal(web.status, 203);
    assert.equal(web.headers.get("x-web"), "1");
    assert.equal(await web.text(), "from web");
    const made = await client.get("/make");
    assert.equal(made.status, 201);
    assert.equal(made.headers.get("x-made"), "1");
    const json = await client.get("/jsonify");
    assert.equal(json.status, 200);
    assert.deepEqual(await json.json(), [{ a: 1 }, 201]);
  });

  test("undefined is a 500 whose logged TypeError names the endpoint", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger });
    app.get("/nothing", function forgetful() {
      return undefined as unknown as string;
    });
    const res = await app.testClient().get("/nothing");
    assert.equal(res.status, 500);
    assert.doesNotMatch(await res.text(), /forgetful/);
    const logged = logger.errors
      .map(([, f]) => f.err)
      .find((e) => e instanceof TypeError) as TypeError;
    assert.ok(logged, "the TypeError was logged");
    assert.match(logged.message, /forgetful/);
  });

  test("HEAD drops the body but keeps the headers", async () => {
    const app = appWith((a) => a.get("/", () => "four"));
    const client = app.testClient();
    const res = await client.head("/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), "4");
    assert.equal(await res.text(), "");
  });
});
