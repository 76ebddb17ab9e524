/**
 * Request framing over a raw socket: body limits on chunked and declared lengths, bodies left
 * unread, malformed escapes and request-target forms. Crash cases (handlers, hooks and streams
 * that fail) are in test/security/faults*.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Phial } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";
import { rawExchange } from "../helpers/raw-http.ts";

const logger = silentLogger();
const app = new Phial({ logger, config: { maxContentLength: 1000 } });
app.get("/ok", () => "ok");
app.post("/echo", async (req) => ({ length: (await req.bytes()).length }));
app.post("/ignore", () => "answered without reading the body");

let port = 0;
before(async () => {
  await app.listen({ port: 0 });
  port = app.address()?.port ?? 0;
});
after(() => app.close({ timeout: 100 }));

async function raw(payload: string): Promise<string> {
  return (await rawExchange(port, payload)).text;
}

describe("request framing over a real socket", () => {
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
});
