/**
 * Security rule 7 (and 4, 6 for multipart) over a real socket: requests written byte for byte
 * with `net.connect` against `app.listen()`, so aborts, chunked framing and hostile headers reach
 * the server exactly as sent. Temporary files and open file descriptors are counted before and
 * after, in this process, which is also the server's.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Phial } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";
import { BOUNDARY, multipartBody, noTempUploadsWithin, tempUploads } from "../helpers/multipart.ts";

const LIMIT = 64 * 1024;
let dir = "";
let app: Phial;
let port = 0;
const outcomes: string[] = [];

before(async () => {
  // This file's own temporary directory, so no other test file's uploads are counted.
  dir = mkdtempSync(path.join(tmpdir(), "phial-uploads-sec-"));
  process.env.TMPDIR = dir;
  app = new Phial({ logger: silentLogger(), config: { maxContentLength: LIMIT } });
  app.post("/upload", async (req) => {
    try {
      const files = await req.files();
      const form = await req.form();
      outcomes.push("parsed");
      return {
        fields: [...form.keys()],
        files: [...files].map(([field, f]) => [field, f.filename, f.size]),
        polluted: ({} as Record<string, unknown>).polluted ?? null,
      };
    } catch (err) {
      outcomes.push(`rejected ${(err as { status?: number }).status}`);
      throw err;
    }
  });
  app.get("/ok", () => "ok");
  await app.listen({ port: 0 });
  port = app.address()?.port ?? 0;
});

after(async () => {
  await app.close({ timeout: 100 });
  rmSync(dir, { recursive: true, force: true });
});

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Polls `check` until it holds or `ms` pass; returns whether it held. */
async function eventually(check: () => boolean, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/** Writes `head` and `body` as given, then reads until the server closes (or 5 s pass). */
function exchange(head: string, body: Buffer | string = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("the server did not close the connection"));
    }, 5000);
    socket.on("connect", () => {
      socket.write(head, "latin1");
      socket.write(body);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    // The server may close while we still write: that is the point of some tests.
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
  });
}

const multipartHead = (extra: string) =>
  `POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n${extra}\r\n`;

describe("uploads over a raw socket", () => {
  test("a client that aborts mid-file leaves no temporary file or open fd behind", async () => {
    assert.equal(
      (await exchange("GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).includes("ok"),
      true,
    );
    const fdsBefore = openFds();
    const tempBefore = tempUploads().length;
    outcomes.length = 0;
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise((resolve) => socket.once("connect", resolve));
    const start = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n\r\n`;
    socket.write(multipartHead(`Content-Length: ${LIMIT - 100}\r\n`));
    socket.write(start);
    socket.write(Buffer.alloc(16 * 1024, 1));
    assert.ok(await eventually(() => tempUploads().length > tempBefore), "the upload started");
    socket.destroy();
    assert.ok(await eventually(() => outcomes.length > 0), "the handler saw the abort");
    assert.deepEqual(outcomes, ["rejected 400"]);
    assert.deepEqual(await noTempUploadsWithin(), []);
    assert.ok(await eventually(() => openFds() <= fdsBefore), "every fd was closed");
    const next = await exchange("GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.match(next, /^HTTP\/1\.1 200 /);
  });

  test("a chunked body over the limit is 413, the connection closes, no file is left", async () => {
    const part = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n`;
    const chunk = (data: Buffer | string) =>
      Buffer.concat([
        Buffer.from(`${Buffer.byteLength(data).toString(16)}\r\n`),
        Buffer.from(data),
        Buffer.from("\r\n"),
      ]);
    const body = Buffer.concat([
      chunk(part),
      ...Array.from({ length: 10 }, () => chunk(Buffer.alloc(16 * 1024, 7))),
      Buffer.from("0\r\n\r\n"),
    ]);
    const answer = await exchange(multipartHead("Transfer-Encoding: chunked\r\n"), body);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /connection: close/i);
    assert.equal(answer.match(/HTTP\/1\.1/g)?.length, 1);
    assert.deepEqual(await noTempUploadsWithin(), []);
  });

  test("a declared Content-Length over the limit is 413 before any file is made", async () => {
    // Earlier tests' files must be gone first, so the listing below sees only this request's.
    assert.deepEqual(await noTempUploadsWithin(), []);
    const answer = await exchange(multipartHead(`Content-Length: ${LIMIT + 1}\r\n`), "--");
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /connection: close/i);
    assert.deepEqual(tempUploads(), []);
  });

  test("a missing or malformed boundary is 400", async () => {
    const { body } = multipartBody([{ name: "a", value: "1" }]);
    for (const type of [
      "multipart/form-data",
      "multipart/form-data; boundary=",
      "multipart/form-data; boundary=a\u00e9b",
      "multipart/form-data; boundary=nothere",
    ]) {
      const head = `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      assert.match(await exchange(head, body), /^HTTP\/1\.1 400 /, type);
    }
  });

  test("__proto__ and constructor names stay data", async () => {
    const { body } = multipartBody([
      { name: "__proto__", value: '{"polluted":1}' },
      { name: "constructor", value: "x" },
      { name: "prototype", value: "y" },
      { name: "__proto__", value: "f", filename: "__proto__" },
    ]);
    const answer = await exchange(
      multipartHead(`Content-Length: ${body.length}\r\nConnection: close\r\n`),
      body,
    );
    assert.match(answer, /^HTTP\/1\.1 200 /);
    const json = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as unknown;
    assert.deepEqual(json, {
      fields: ["__proto__", "constructor", "prototype"],
      files: [["__proto__", "__proto__", 1]],
      polluted: null,
    });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
