/**
 * The crash cases of the core issue, over a real socket: whatever a handler does, the process
 * lives on and the next request is answered.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { Phial, Response } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";

const logger = silentLogger();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
process.on("unhandledRejection", onUnhandled);
const app = new Phial({ logger, config: { maxContentLength: 1000 } });
app.get("/ok", () => "ok");
app.get("/throws", () => {
  throw new Error("sync boom");
});
app.get("/rejects", async () => {
  await Promise.resolve();
  throw new Error("async boom");
});
app.get("/bad-header", () => {
  const res = new Response("x");
  res.headers.set("X-Bad", "a\r\nb");
  return res;
});
app.get("/bad-header-tuple", () => ["x", { "X-Bad": "line\nbreak" }]);
app.get("/stream-fails", async function* failing() {
  yield "first chunk;";
  await new Promise((r) => setTimeout(r, 20));
  throw new Error("stream broke midway");
});
app.get("/error-handler-throws", () => {
  throw new TypeError("original");
});
app.errorHandler(TypeError, () => {
  throw new Error("error handler broke");
});
app.post("/echo", async (req) => ({ length: (await req.bytes()).length }));
app.post("/ignore", () => "answered without reading the body");

let port = 0;
before(async () => {
  await app.listen({ port: 0 });
  port = app.address()?.port ?? 0;
});
after(async () => {
  await app.close({ timeout: 100 });
  process.off("unhandledRejection", onUnhandled);
});

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: "127.0.0.1", path, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function raw(payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (c) => {
      data += c;
    });
    socket.on("end", () => resolve(data));
    socket.on("close", () => resolve(data));
    socket.on("error", (err) => (data ? resolve(data) : reject(err)));
    socket.write(payload);
  });
}

describe("faults over a real socket", () => {
  for (const path of [
    "/throws",
    "/rejects",
    "/bad-header",
    "/bad-header-tuple",
    "/error-handler-throws",
  ]) {
    test(`${path} answers 500 without detail and the server keeps serving`, async () => {
      const res = await get(path);
      assert.equal(res.status, 500);
      assert.doesNotMatch(res.body, /boom|broke|original|\r|line/);
      assert.equal((await get("/ok")).body, "ok");
    });
  }

  test("a stream that fails after the headers destroys the socket instead of a second status", async () => {
    const result = await new Promise<{ status: number; aborted: boolean; body: string }>(
      (resolve) => {
        const req = request(
          { port, host: "127.0.0.1", path: "/stream-fails", agent: false },
          (res) => {
            let body = "";
            let aborted = false;
            res.setEncoding("utf8");
            res.on("data", (c) => {
              body += c;
            });
            res.on("aborted", () => {
              aborted = true;
            });
            res.on("error", () => {
              aborted = true;
            });
            res.on("close", () =>
              resolve({ status: res.statusCode ?? 0, aborted: aborted || !res.complete, body }),
            );
          },
        );
        req.on("error", () => resolve({ status: 0, aborted: true, body: "" }));
        req.end();
      },
    );
    assert.equal(result.status, 200);
    assert.equal(result.aborted, true);
    assert.equal(result.body, "first chunk;");
    assert.equal((await get("/ok")).body, "ok");
  });

  test("a chunked body over the limit is cut off with 413 and the connection closes", async () => {
    const chunk = "x".repeat(600);
    const payload =
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
      `${(600).toString(16)}\r\n${chunk}\r\n`.repeat(3) +
      "0\r\n\r\n";
    const answer = await raw(payload);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /connection: close/i);
    assert.equal(answer.match(/HTTP\/1\.1/g)?.length, 1);
  });

  test("a declared Content-Length over the limit is refused before reading", async () => {
    const answer = await raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\nabc");
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /connection: close/i);
  });

  test("a small chunked body within the limit is read", async () => {
    const answer = await raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    );
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /\{"length":5\}/);
  });

  test("malformed percent-encoding over a raw socket is 400, not 500", async () => {
    const answer = await raw("GET /ok%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.match(answer, /^HTTP\/1\.1 400 /);
  });

  test("an oversized body the handler never reads is not drained: the connection closes", async () => {
    const answer = await raw(
      "POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc",
    );
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /connection: close/i);
  });

  test("an absolute-form target routes on its path; a target that is not a path is 400", async () => {
    const absolute = await raw(
      "GET http://example.com/ok?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.match(absolute, /^HTTP\/1\.1 200 /);
    assert.match(absolute, /\r\n\r\nok$/);
    const star = await raw("OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.match(star, /^HTTP\/1\.1 400 /);
  });

  test("no unhandled error escaped: all failures went to the logger", () => {
    assert.ok(logger.errors.length >= 5);
    assert.deepEqual(unhandled, []);
  });
});
