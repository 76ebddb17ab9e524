/**
 * writeResponse over real sockets: what a client actually receives, byte for byte where framing
 * matters (raw `net` for HEAD/204 bodies, `http.request` for the rest).
 */
import assert from "node:assert/strict";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Response } from "../src/response.ts";
import { writeResponse } from "../src/response-write.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: http.Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: Handler): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Serves `make()` with writeResponse and records what writeResponse returned or threw. */
async function serveResponse(make: () => Response): Promise<{
  port: number;
  results: Array<{ returned?: Promise<void> | undefined; threw?: unknown }>;
}> {
  const results: Array<{ returned?: Promise<void> | undefined; threw?: unknown }> = [];
  const port = await serve((req, res) => {
    try {
      const returned = writeResponse(res, make(), req.method === "HEAD");
      returned?.catch(() => {});
      results.push({ returned });
    } catch (threw) {
      results.push({ threw });
    }
  });
  return { port, results };
}

interface Received {
  status: number;
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(port: number, method = "GET", path = "/"): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, method, path, host: "127.0.0.1", agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("aborted", () => reject(new Error("aborted")));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          rawHeaders: res.rawHeaders,
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** Sends raw bytes, returns everything the server sent until it closed the connection. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.write(text);
  });
}

function headerLines(raw: string): { head: string[]; body: string } {
  const end = raw.indexOf("\r\n\r\n");
  return { head: raw.slice(0, end).split("\r\n"), body: raw.slice(end + 4) };
}

test("string body: Content-Length in bytes, type, body; returns undefined (no promise)", async () => {
  const { port, results } = await serveResponse(() => new Response("héllo ✓"));
  const res = await request(port);
  assert.equal(res.status, 200);
  assert.equal(res.headers["content-length"], String(Buffer.byteLength("héllo ✓")));
  assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
  assert.equal(res.headers["transfer-encoding"], undefined);
  assert.equal(res.body.toString("utf8"), "héllo ✓");
  assert.equal(results[0]?.returned, undefined);
  assert.equal("threw" in (results[0] ?? {}), false);
});

test("bytes and null bodies", async () => {
  let body: Uint8Array | null = Buffer.from([0, 1, 2, 255]);
  const { port } = await serveResponse(() => new Response(body, { status: 201 }));
  const bytes = await request(port);
  assert.equal(bytes.status, 201);
  assert.equal(bytes.headers["content-length"], "4");
  assert.deepEqual([...bytes.body], [0, 1, 2, 255]);
  body = null;
  const empty = await request(port);
  assert.equal(empty.headers["content-length"], "0");
  assert.equal(empty.headers["content-type"], undefined);
  assert.equal(empty.body.length, 0);
});

test("computed Content-Length replaces a user one; a user Transfer-Encoding is dropped", async () => {
  const { port } = await serveResponse(
    () =>
      new Response("abc", { headers: { "Content-Length": "999", "Transfer-Encoding": "chunked" } }),
  );
  const raw = await rawExchange(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const { head, body } = headerLines(raw);
  assert.ok(head.includes("Content-Length: 3"), head.join("|"));
  assert.equal(head.filter((l) => /^content-length:/i.test(l)).length, 1);
  assert.equal(
    head.some((l) => /^transfer-encoding:/i.test(l)),
    false,
  );
  assert.equal(body, "abc");
});

test("Set-Cookie goes out as separate lines, other repeated headers joined", async () => {
  const { port } = await serveResponse(() => {
    const r = new Response("x");
    r.setCookie("a", "1");
    r.setCookie("b", "2", { httpOnly: false, sameSite: false });
    r.headers.append("Vary", "Accept").append("Vary", "Cookie");
    return r;
  });
  const res = await request(port);
  assert.deepEqual(res.headers["set-cookie"], [
    "a=1; Path=/; HttpOnly; SameSite=Lax",
    "b=2; Path=/",
  ]);
  const varyLines = res.rawHeaders.filter(
    (_, i) => i % 2 === 0 && res.rawHeaders[i]?.toLowerCase() === "vary",
  );
  assert.equal(varyLines.length, 1);
  assert.equal(res.headers.vary, "Accept, Cookie");
});

test("HEAD keeps the headers (Content-Length included) and sends no body", async () => {
  const { port } = await serveResponse(() => new Response("hello", { headers: { "X-A": "1" } }));
  const raw = await rawExchange(port, "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const { head, body } = headerLines(raw);
  assert.equal(head[0], "HTTP/1.1 200 OK");
  assert.ok(head.includes("Content-Length: 5"));
  assert.ok(head.includes("X-A: 1"));
  assert.ok(head.includes("Content-Type: text/html; charset=utf-8"));
  assert.equal(body, "");
});

test("204 sends neither body nor Content-Length; 304 keeps a user Content-Length", async () => {
  let status = 204;
  const { port } = await serveResponse(
    () => new Response("ignored", { status, headers: { "Content-Length": "7" } }),
  );
  const raw204 = headerLines(
    await rawExchange(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
  );
  assert.equal(raw204.head[0], "HTTP/1.1 204 No Content");
  assert.equal(
    raw204.head.some((l) => /^(content-length|transfer-encoding):/i.test(l)),
    false,
  );
  assert.equal(raw204.body, "");
  status = 304;
  const raw304 = headerLines(
    await rawExchange(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
  );
  assert.equal(raw304.head[0], "HTTP/1.1 304 Not Modified");
  assert.ok(raw304.head.includes("Content-Length: 7"));
  assert.equal(raw304.body, "");
});

test("stream bodies of every kind arrive whole, chunked unless a length is given", async () => {
  const kinds: Record<string, () => Response> = {
    readable: () => new Response(Readable.from([Buffer.from("ab"), Buffer.from("c")])),
    web: () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode("ab"));
            c.enqueue(new TextEncoder().encode("c"));
            c.close();
          },
        }),
      ),
    generator: () =>
      new Response(
        (function* () {
          yield "a";
          yield new TextEncoder().encode("b");
          yield "c";
        })(),
      ),
    asyncGenerator: () =>
      new Response(
        (async function* () {
          yield "ab";
          await sleep(1);
          yield "c";
        })(),
      ),
    array: () => new Response(["a", "b", "c"]),
    withLength: () => new Response(Readable.from(["abc"]), { headers: { "Content-Length": "3" } }),
  };
  for (const [name, make] of Object.entries(kinds)) {
    const { port, results } = await serveResponse(make);
    const res = await request(port);
    assert.equal(res.body.toString(), "abc", name);
    if (name === "withLength") {
      assert.equal(res.headers["content-length"], "3");
      assert.equal(res.headers["transfer-encoding"], undefined);
    } else {
      assert.equal(res.headers["transfer-encoding"], "chunked", name);
    }
    const returned = results[0]?.returned;
    assert.ok(returned instanceof Promise, name);
    await returned;
  }
});

test("a large generator is streamed with backpressure", async () => {
  const chunk = Buffer.alloc(64 * 1024, 120);
  const total = 800; // 50 MiB
  let produced = 0;
  const { port, results } = await serveResponse(
    () =>
      new Response(
        (function* () {
          for (let i = 0; i < total; i++) {
            produced++;
            yield chunk;
          }
        })(),
      ),
  );
  const received = await new Promise<number>((resolve, reject) => {
    const req = http.request({ port, host: "127.0.0.1", agent: false }, async (res) => {
      res.pause();
      await sleep(300);
      // While nobody reads, only socket buffers and one chunk of read-ahead may be produced.
      const whilePaused = produced;
      try {
        assert.ok(
          whilePaused < total / 4,
          `produced ${whilePaused} of ${total} chunks while paused`,
        );
      } catch (err) {
        reject(err);
        req.destroy();
        return;
      }
      let bytes = 0;
      res.on("data", (c: Buffer) => {
        bytes += c.length;
      });
      res.on("end", () => resolve(bytes));
      res.on("error", reject);
      res.resume();
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(received, chunk.length * total);
  await results[0]?.returned;
});

test("a stream failing midway destroys the socket, rejects, and the server lives on", async () => {
  const boom = new Error("database went away");
  let fail = true;
  const { port, results } = await serveResponse(() => {
    if (!fail) return new Response("fine");
    return new Response(
      (async function* () {
        yield "first part, ";
        await sleep(20);
        throw boom;
      })(),
    );
  });
  const outcome = await new Promise<string>((resolve) => {
    const req = http.request({ port, host: "127.0.0.1", agent: false }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => {
        text += c.toString();
      });
      res.on("aborted", () => resolve(`aborted after ${JSON.stringify(text)}`));
      res.on("error", (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
      res.on("end", () => resolve(`complete ${text}`));
    });
    req.on("error", (err: NodeJS.ErrnoException) => resolve(`request error ${err.code ?? ""}`));
    req.end();
  });
  assert.doesNotMatch(outcome, /^complete/, "the client must not see a clean end");
  await assert.rejects(results[0]?.returned ?? Promise.resolve(), (err) => err === boom);
  fail = false;
  assert.equal((await request(port)).body.toString(), "fine");
});

test("a stream failing before its first chunk rejects with nothing written, so a 500 still can be", async () => {
  let sentBefore: boolean | undefined;
  const port = await serve((_req, res) => {
    const failing = new Response(
      // biome-ignore lint/correctness/useYield: the failure before any yield is the point
      (async function* (): AsyncGenerator<string> {
        throw new Error("nothing to send");
      })(),
    );
    writeResponse(res, failing, false)?.catch(() => {
      sentBefore = res.headersSent;
      writeResponse(res, new Response("fallback", { status: 500 }), false);
    });
  });
  const res = await request(port);
  assert.equal(sentBefore, false);
  assert.equal(res.status, 500);
  assert.equal(res.body.toString(), "fallback");
});

test("an empty stream sends its headers and an empty body", async () => {
  const { port } = await serveResponse(() => new Response(Readable.from([])));
  const res = await request(port);
  assert.equal(res.status, 200);
  assert.equal(res.body.length, 0);
});

test("a client that goes away mid-stream rejects the promise and releases the source", async () => {
  let finalized = false;
  let unhandled: unknown;
  const onUnhandled = (err: unknown): void => {
    unhandled = err;
  };
  process.on("unhandledRejection", onUnhandled);
  let endless = true;
  const { port, results } = await serveResponse(() =>
    !endless
      ? new Response("ok")
      : new Response(
          (async function* () {
            try {
              for (;;) {
                yield Buffer.alloc(16 * 1024, 97);
                await sleep(1);
              }
            } finally {
              finalized = true;
            }
          })(),
        ),
  );
  await new Promise<void>((resolve) => {
    const req = http.request({ port, host: "127.0.0.1", agent: false }, (res) => {
      res.once("data", () => {
        req.destroy();
        resolve();
      });
      res.on("error", () => {});
    });
    req.on("error", () => {});
    req.end();
  });
  await assert.rejects(results[0]?.returned ?? Promise.resolve());
  await sleep(20);
  assert.equal(finalized, true, "the generator's finally block ran");
  process.off("unhandledRejection", onUnhandled);
  assert.equal(unhandled, undefined);
  endless = false;
  assert.equal((await request(port)).status, 200, "server still answers");
});

test("HEAD with a stream body sends headers only and never reads the source", async () => {
  let started = false;
  let destroyed = false;
  let cancelled = false;
  const sources: Record<string, () => Response> = {
    generator: () =>
      new Response(
        (function* () {
          started = true;
          yield "x";
        })(),
        { headers: { "Content-Length": "1" } },
      ),
    readable: () => {
      const r = new Readable({
        read() {
          started = true;
          this.push(null);
        },
      });
      r.on("close", () => {
        destroyed = true;
      });
      return new Response(r);
    },
    web: () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull() {
            started = true;
          },
          cancel() {
            cancelled = true;
          },
        }),
      ),
  };
  for (const [name, make] of Object.entries(sources)) {
    const { port, results } = await serveResponse(make);
    const raw = await rawExchange(port, "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const { head, body } = headerLines(raw);
    assert.equal(head[0], "HTTP/1.1 200 OK", name);
    assert.equal(body, "", name);
    assert.equal(
      head.some((l) => /^transfer-encoding:/i.test(l)),
      false,
      name,
    );
    if (name === "generator") assert.ok(head.includes("Content-Length: 1"), "user length kept");
    assert.equal(results[0]?.returned, undefined, name);
  }
  await sleep(10);
  assert.equal(started, false, "no source was read");
  assert.equal(destroyed, true, "the Readable was destroyed");
  assert.equal(cancelled, true, "the web stream was cancelled");
});

test("an invalid status or unusable body throws before anything is written", async () => {
  const locked = new ReadableStream<Uint8Array>();
  locked.getReader();
  const bad: Record<string, () => Response> = {
    status: () => {
      const r = new Response("x");
      r.status = 1000;
      return r;
    },
    lockedStream: () => new Response(locked),
  };
  for (const [name, make] of Object.entries(bad)) {
    let sentBefore: boolean | undefined;
    const port = await serve((_req, res) => {
      try {
        writeResponse(res, make(), false);
      } catch {
        sentBefore = res.headersSent;
        // Nothing was written, so the caller can still answer with a 500.
        writeResponse(res, new Response("fallback", { status: 500 }), false);
      }
    });
    const res = await request(port);
    assert.equal(sentBefore, false, name);
    assert.equal(res.status, 500, name);
    assert.equal(res.body.toString(), "fallback", name);
  }
});

test("header values with CR/LF never reach the wire: they throw where they are set", async () => {
  const port = await serve((_req, res) => {
    const r = new Response("x");
    try {
      r.headers.set("X-Injected", "a\r\nSet-Cookie: evil=1");
    } catch {
      r.status = 500;
    }
    writeResponse(res, r, false);
  });
  const raw = await rawExchange(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert.match(raw, /^HTTP\/1.1 500/);
  assert.doesNotMatch(raw, /evil/);
});
