/**
 * A client that cancels a download is routine and logged at info; a body stream that fails is
 * the app's error and logged as one. Over a real socket, since only a real client can leave.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { Phial } from "../src/index.ts";
import { silentLogger } from "./helpers/logger.ts";

const logger = silentLogger();
const app = new Phial({ logger, config: { logLevel: "info" } });
const finalized = new Set<string>();

app.get("/endless", async function* endless() {
  try {
    for (;;) {
      yield "x".repeat(16 * 1024);
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    finalized.add("/endless");
  }
});
app.get("/late", async function* late() {
  try {
    await new Promise((resolve) => setTimeout(resolve, 10_000).unref());
    yield "never sent";
  } finally {
    finalized.add("/late");
  }
});
app.get("/broken", async function* broken() {
  yield "first chunk;";
  await new Promise((resolve) => setTimeout(resolve, 10));
  throw new Error("the body's source broke");
});

let port = 0;
before(async () => {
  await app.listen({ port: 0 });
  port = app.address()?.port ?? 0;
});
after(() => app.close({ timeout: 100 }));

/** Sends GET `path`, waits for `bytes` bytes of answer (0: none), then hangs up. */
function leaveAfter(path: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      if (bytes === 0) setTimeout(() => socket.destroy(), 50);
    });
    let received = 0;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received >= bytes) socket.destroy();
    });
    socket.on("close", () => resolve());
    socket.on("error", reject);
  });
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

/** What was logged about `path`, besides the request line ("GET /x 499 1.2 ms") info level adds. */
const lines = (path: string) =>
  logger.records.filter((r) => r.message.includes(path) && !r.message.startsWith(`GET ${path} `));

describe("a client that leaves mid-answer", () => {
  test("mid-stream: an info line without a stack, no error, and the generator is finalized", async () => {
    await leaveAfter("/endless", 64 * 1024);
    await eventually(() => finalized.has("/endless"), "the generator was not finalized");
    await eventually(() => lines("/endless").length > 0, "nothing was logged");
    assert.deepEqual(
      lines("/endless").map((r) => [r.level, r.message]),
      [["info", "The client left before GET /endless was sent"]],
    );
  });

  test("before the first chunk: no error, and the request line says 499", async () => {
    await leaveAfter("/late", 0);
    const requestLine = () => logger.records.find((r) => r.message.startsWith("GET /late 499 "));
    await eventually(() => requestLine() !== undefined, "no 499 request line was logged");
    assert.deepEqual(
      logger.records.filter((r) => r.level === "error"),
      [],
      "a client that left before any byte is not an error",
    );
  });

  test("a body stream that fails is still logged as an error, with the error", async () => {
    await leaveAfter("/broken", Number.POSITIVE_INFINITY);
    await eventually(() => lines("/broken").length > 0, "nothing was logged");
    const [line] = lines("/broken");
    assert.equal(line?.level, "error");
    assert.match(String(line?.fields.err), /the body's source broke/);
  });
});
