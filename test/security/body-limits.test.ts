/**
 * Security rule 4: body limits count the bytes actually received (chunked bodies included), a
 * declared Content-Length above the limit is 413 before the body is read, a refused body is
 * never drained (the connection closes), the framing decides where a body ends, and the limits
 * are checked when the app starts. Every reader (bytes, text, json, form, files) is held to them.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, type HTTPError, Phial } from "../../src/index.ts";
import { clientKinds } from "../helpers/clients.ts";
import { silentLogger } from "../helpers/logger.ts";
import { BOUNDARY, multipartBody } from "../helpers/multipart.ts";
import { headerValues, type RawAnswer, rawExchange } from "../helpers/raw-http.ts";
import { serveDuringFile } from "../helpers/serve.ts";

const LIMIT = 1024;
const FORM_LIMIT = 512;

/** What each handler got from its reader: the length read, or the error's status. */
const outcomes: { path: string; read?: string; status?: number }[] = [];
let notify: (() => void) | undefined;

/** Waits (at most 3 s) for the handlers to have recorded `count` outcomes. */
async function outcomesReach(count: number): Promise<void> {
  const deadline = Date.now() + 3000;
  while (outcomes.length < count && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      notify = resolve;
      setTimeout(resolve, 50);
    });
  }
}

type Reader = "bytes" | "text" | "json" | "form" | "files";

const TYPES: Readonly<Record<Reader, string>> = {
  bytes: "application/octet-stream",
  text: "text/plain",
  json: "application/json",
  form: "application/x-www-form-urlencoded",
  files: `multipart/form-data; boundary=${BOUNDARY}`,
};

function makeApp(): Phial {
  const app = new Phial({
    staticFolder: null,
    logger: silentLogger(),
    config: { maxContentLength: LIMIT, maxFormMemorySize: FORM_LIMIT },
  });
  const record = async (path: string, read: () => Promise<unknown>) => {
    try {
      const value = await read();
      outcomes.push({ path, read: typeof value === "string" ? value : JSON.stringify(value) });
      return { read: value };
    } catch (err) {
      outcomes.push({ path, status: (err as HTTPError).status });
      throw err;
    } finally {
      notify?.();
    }
  };
  app.post("/bytes", (req) => record("/bytes", async () => (await req.bytes()).toString()));
  app.post("/text", (req) => record("/text", () => req.text()));
  app.post("/json", (req) => record("/json", () => req.json()));
  app.post("/form", (req) => record("/form", async () => (await req.form()).toObject()));
  app.post("/files", (req) => record("/files", async () => [...(await req.files()).keys()]));
  app.post("/ignore", () => "not read");
  app.get("/ping", () => "pong");
  return app;
}

/** A body of exactly `size` bytes that the reader for `type` would accept if it were allowed. */
function validBody(reader: Reader, size: number): Buffer {
  switch (reader) {
    case "json":
      return Buffer.from(`"${"j".repeat(size - 2)}"`);
    case "form":
      return Buffer.from(`a=${"f".repeat(size - 2)}`);
    case "files": {
      const empty = multipartBody([{ name: "up", value: "", filename: "a.bin" }]).body.length;
      return multipartBody([{ name: "up", value: "u".repeat(size - empty), filename: "a.bin" }])
        .body;
    }
    default:
      return Buffer.from("b".repeat(size));
  }
}

const READERS: readonly Reader[] = ["bytes", "text", "json", "form", "files"];

function head(reader: Reader, framing: string): string {
  return `POST /${reader} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${TYPES[reader]}\r\n${framing}\r\n`;
}

/** A chunked encoding of `body` in chunks of `size` bytes; `finish` adds the last chunk. */
function chunked(body: Buffer, size: number, finish = true): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
  }
  if (finish) parts.push(Buffer.from("0\r\n\r\n"));
  return Buffer.concat(parts);
}

function assertRefusedAndClosed(answer: RawAnswer, what: string): void {
  assert.equal(answer.status, 413, `${what}: ${answer.text.slice(0, 80)}`);
  assert.deepEqual(headerValues(answer, "connection"), ["close"], what);
  assert.equal(answer.text.match(/HTTP\/1\.1 /g)?.length, 1, `${what}: one answer only`);
}

const served = serveDuringFile(makeApp);

describe("body limits over a raw socket", () => {
  test("Content-Length: 10 MB is 413 and closed before one byte of the body is sent, for every reader", async () => {
    for (const reader of READERS) {
      // Only the head is written: a server that waited for the body would never answer.
      const answer = await rawExchange(served.port, head(reader, "Content-Length: 10485760\r\n"), {
        timeout: 3000,
      });
      assertRefusedAndClosed(answer, reader);
    }
  });

  test("a chunked body growing past the limit is 413 and closed though the client never finishes it", async () => {
    for (const reader of READERS) {
      const start = head(reader, "Transfer-Encoding: chunked\r\n");
      const body = chunked(validBody(reader, LIMIT + 200), 300, false);
      const answer = await rawExchange(served.port, Buffer.concat([Buffer.from(start), body]), {
        timeout: 3000,
      });
      assertRefusedAndClosed(answer, reader);
    }
  });

  test("a complete chunked body one byte over the limit is 413, for every reader", async () => {
    for (const reader of READERS) {
      const start = head(reader, "Transfer-Encoding: chunked\r\n");
      const body = chunked(validBody(reader, LIMIT + 1), 100);
      assertRefusedAndClosed(
        await rawExchange(served.port, Buffer.concat([Buffer.from(start), body])),
        reader,
      );
    }
  });

  test("a body of exactly the limit is read whole, by Content-Length or chunked", async () => {
    for (const reader of READERS.filter((r) => r !== "form")) {
      const body = validBody(reader, LIMIT);
      const sized = head(reader, `Content-Length: ${body.length}\r\nConnection: close\r\n`);
      const byLength = await rawExchange(served.port, Buffer.concat([Buffer.from(sized), body]));
      assert.equal(byLength.status, 200, `${reader}: ${byLength.body.slice(0, 80)}`);
      const start = head(reader, "Transfer-Encoding: chunked\r\nConnection: close\r\n");
      const byChunks = await rawExchange(
        served.port,
        Buffer.concat([Buffer.from(start), chunked(body, 100)]),
      );
      assert.equal(byChunks.status, 200, `${reader} chunked: ${byChunks.body.slice(0, 80)}`);
    }
  });

  test("an urlencoded form is held to maxFormMemorySize too: 513 bytes is 413, 512 is read", async () => {
    const over = validBody("form", FORM_LIMIT + 1);
    const refused = await rawExchange(
      served.port,
      Buffer.concat([Buffer.from(head("form", `Content-Length: ${over.length}\r\n`)), over]),
    );
    assertRefusedAndClosed(refused, "form");
    const fits = validBody("form", FORM_LIMIT);
    const read = await rawExchange(
      served.port,
      Buffer.concat([
        Buffer.from(head("form", `Content-Length: ${fits.length}\r\nConnection: close\r\n`)),
        fits,
      ]),
    );
    assert.equal(read.status, 200);
  });

  test("lying Content-Length: 5 with more bytes after: the body is 5 bytes, the rest is the next request", async () => {
    outcomes.length = 0;
    const answer = await rawExchange(
      served.port,
      "POST /bytes HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n" +
        "abcdeGET /ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual(outcomes, [{ path: "/bytes", read: "abcde" }]);
    assert.equal(answer.text.match(/HTTP\/1\.1 200 /g)?.length, 2, answer.text);
    assert.ok(answer.text.endsWith("pong"), answer.text);
  });

  test("Content-Length above what is sent, then the client hangs up: the reader fails, never a short body", async () => {
    outcomes.length = 0;
    await rawExchange(
      served.port,
      "POST /bytes HTTP/1.1\r\nHost: localhost\r\nContent-Length: 500\r\n\r\nonly a little",
      { end: true },
    );
    await outcomesReach(1);
    assert.deepEqual(outcomes, [{ path: "/bytes", status: 400 }]);
  });

  test("Content-Length together with Transfer-Encoding is refused (400) and no handler runs", async () => {
    outcomes.length = 0;
    const answer = await rawExchange(
      served.port,
      "POST /bytes HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    );
    assert.equal(answer.status, 400);
    assert.deepEqual(outcomes, []);
  });

  test("an oversized body a handler never reads is answered, then the connection is closed, not drained", async () => {
    const answer = await rawExchange(
      served.port,
      "POST /ignore HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10485760\r\n\r\nabc",
      { timeout: 3000 },
    );
    assert.equal(answer.status, 200);
    assert.deepEqual(headerValues(answer, "connection"), ["close"]);
  });
});

for (const kind of clientKinds) {
  describe(`body limits ${kind.name}`, () => {
    test("a body one byte over the limit is 413 for every reader, by Content-Length or chunked", async () => {
      const client = await kind.create(makeApp());
      try {
        for (const reader of READERS) {
          const body = validBody(reader, LIMIT + 1);
          const headers = { "content-type": TYPES[reader] };
          const sized = await client.post(`/${reader}`, { body, headers });
          assert.equal(sized.status, 413, reader);
          assert.equal(sized.headers.get("connection"), "close", reader);
          const streamed = await client.post(`/${reader}`, {
            body,
            headers: { ...headers, "transfer-encoding": "chunked" },
          });
          assert.equal(streamed.status, 413, `${reader} chunked`);
        }
      } finally {
        await client.close();
      }
    });

    test("a body of exactly the limit is read whole", async () => {
      const client = await kind.create(makeApp());
      try {
        for (const reader of READERS.filter((r) => r !== "form")) {
          const res = await client.post(`/${reader}`, {
            body: validBody(reader, LIMIT),
            headers: { "content-type": TYPES[reader] },
          });
          assert.equal(res.status, 200, `${reader}: ${res.text().slice(0, 80)}`);
        }
      } finally {
        await client.close();
      }
    });
  });
}

describe("limits are checked when the app starts", () => {
  const KEYS = ["maxContentLength", "maxFormMemorySize", "maxFormParts", "maxQueryParams"] as const;
  const BAD: readonly unknown[] = [
    0,
    -1,
    1.5,
    "1024",
    Number.NaN,
    Number.POSITIVE_INFINITY,
    null,
    2 ** 60,
  ];

  test('0, -1, 1.5, "1024", NaN, Infinity, null or 2^60 as a limit fails listen() and validate() with a ConfigError naming the key', async () => {
    for (const key of KEYS) {
      for (const value of BAD) {
        const bad = new Phial({ staticFolder: null, logger: silentLogger() });
        Object.assign(bad.config, { [key]: value });
        const what = `${key} = ${String(value)}`;
        const named = (err: unknown): boolean =>
          err instanceof ConfigError &&
          err.code === "invalid_config" &&
          err.message.includes(`config.${key}`);
        assert.throws(() => bad.config.validate(), named, what);
        try {
          await assert.rejects(async () => bad.listen({ port: 0 }), named, what);
        } finally {
          // A regression must fail here, not keep the test process alive with a listening server.
          if (bad.address() !== null) await bad.close({ timeout: 100 });
        }
      }
    }
  });

  test("a misconfigured limit answers every request 500 without serving it, the bad value unshown", async () => {
    const bad = new Phial({ staticFolder: null, logger: silentLogger() });
    bad.config.maxContentLength = -1;
    let served = false;
    bad.post("/bytes", async (req) => {
      served = true;
      return (await req.bytes()).length;
    });
    const client = bad.testClient();
    const res = await client.post("/bytes", { body: "x" });
    assert.equal(res.status, 500);
    assert.equal(served, false);
    assert.doesNotMatch(res.text(), /maxContentLength|-1/);
    await client.close();
  });
});
