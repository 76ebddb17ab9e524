/**
 * Random and malformed input never gets a 500 and never hurts the process: arbitrary request
 * targets (percent-escapes valid and broken, encoded unicode, long and dot segments, absolute
 * forms), query strings, headers (Content-Type, Cookie, Accept, Host, X-Forwarded-*, Range,
 * conditionals) and bodies (JSON, forms, multipart, bytes; some above the limits) against a
 * representative app (./fuzz-app.ts), with and without hooks. Every answer is below 500, the
 * app logs no error, and no rejection or exception goes unhandled. Most requests go through
 * the in-process test client; fewer are written byte for byte to a real socket, where a 400
 * from Node's own parser is a fine answer too.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import type { Phial } from "../../src/index.ts";
import { TestClient } from "../../src/testing.ts";
import { fuzzApp } from "./fuzz-app.ts";
import { describeRequest, type FuzzRequest, rawRequest, request } from "./fuzz-requests.ts";

/**
 * Requests every run starts with, one per protection whose input the generators reach only
 * now and then: the property must fail at once whenever one of them regresses.
 */
const KNOWN_HOSTILE: readonly FuzzRequest[] = (
  [
    ["GET", "/files/%2F%2F", {}, undefined], // a path value urlFor could not build back
    ["GET", "/users/%E0%A4%A", {}, undefined], // a malformed escape: 400 for routing and hooks
    ["GET", "/redirect?next=%0D%0ASet-Cookie:%20x=1", {}, undefined], // CR LF into Location
    ["GET", `/static/${"a".repeat(3000)}`, {}, undefined], // ENAMETOOLONG is a 404
    ["POST", "/echo/json", { "content-type": "application/json" }, "{"], // bad JSON
    ["POST", "/echo/form", { "content-type": "multipart/form-data; boundary=" }, "x"],
    ["GET", "/info", { "content-type": ";;;", cookie: "=;=;", host: "[::1" }, undefined],
  ] satisfies [string, string, Record<string, string>, string | undefined][]
).flatMap(([method, target, headers, body]) =>
  [false, true].map((hooks) => ({ hooks, method, target, headers, body })),
);

// ---- process health -------------------------------------------------------------------------

const trouble: string[] = [];
const onRejection = (reason: unknown): void => {
  trouble.push(`unhandled rejection: ${String(reason)}`);
};
const onWarning = (warning: Error): void => {
  trouble.push(`process warning: ${warning.name}: ${warning.message}`);
};

const apps = { plain: fuzzApp(false), hooks: fuzzApp(true) };

/** How far the logs and the trouble list were, so each request is judged on its own. */
function mark(): number[] {
  return [apps.plain.logger.errors.length, apps.hooks.logger.errors.length, trouble.length];
}

/** Errors the apps logged and process trouble since `from`: none expected. */
function problemsSince(from: readonly number[]): string[] {
  const [plain = 0, hooks = 0, other = 0] = from;
  const logged = [
    ...apps.plain.logger.errors.slice(plain),
    ...apps.hooks.logger.errors.slice(hooks),
  ];
  return [
    ...logged.map(
      ([message, fields]) =>
        `logged: ${message} ${String((fields as { err?: unknown }).err ?? "")}`,
    ),
    ...trouble.slice(other),
  ];
}

/** Rejecters of the requests in flight, told when the process meets an uncaught exception. */
const waiting = new Set<(err: unknown) => void>();
let crash: unknown;
const onCrash = (err: unknown): void => {
  crash ??= err;
  for (const reject of waiting) reject(err);
};

/**
 * `promise`, or a failure after 10 s or at the first uncaught exception: a request the app
 * never answers (a throw inside Node's request event) must fail the property at once rather
 * than hang it while fast-check shrinks. The 10 s are a bound against a hang, never a measure
 * of speed.
 */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  if (crash !== undefined) throw crash;
  let timer: NodeJS.Timeout | undefined;
  let rejectNow: (err: unknown) => void = () => {};
  const stop = new Promise<never>((_, reject) => {
    rejectNow = reject;
    timer = setTimeout(() => reject(new Error(`no answer within 10 s to ${what}`)), 10_000);
  });
  waiting.add(rejectNow);
  try {
    return await Promise.race([promise, stop]);
  } finally {
    clearTimeout(timer);
    waiting.delete(rejectNow);
  }
}

before(() => {
  process.on("unhandledRejection", onRejection);
  process.on("warning", onWarning);
  process.on("uncaughtExceptionMonitor", onCrash);
});

after(() => {
  process.off("unhandledRejection", onRejection);
  process.off("warning", onWarning);
  process.off("uncaughtExceptionMonitor", onCrash);
  apps.plain.cleanup();
  apps.hooks.cleanup();
});

// ---- raw requests ---------------------------------------------------------------------------

async function listen(app: Phial): Promise<number> {
  await app.listen({ port: 0 });
  return app.address()?.port ?? 0;
}

/**
 * Sends the bytes on a fresh connection and collects everything until the server closes it
 * (every request says `Connection: close`). The client never half-closes: Node's server aborts
 * requests in flight when the client's side ends. `reset` tells whether the server reset the
 * connection, which it may do when it answers before reading everything sent.
 */
function exchange(port: number, bytes: Buffer): Promise<{ data: Buffer; reset: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let reset = false;
    const socket = net.connect(port, "127.0.0.1");
    // A generous bound against a hang, never a measure of speed.
    socket.setTimeout(10_000, () => {
      socket.destroy();
      const sent = JSON.stringify(bytes.toString("latin1").slice(0, 200));
      reject(new Error(`the server neither answered nor closed within 10 s: ${sent}`));
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ECONNRESET" || err.code === "EPIPE") reset = true;
      else reject(err);
    });
    socket.on("close", () => resolve({ data: Buffer.concat(chunks), reset }));
    socket.write(bytes);
  });
}

describe("malformed input never gets a 500", () => {
  test("through the test client", async () => {
    const clients = {
      plain: new TestClient(apps.plain.app),
      hooks: new TestClient(apps.hooks.app),
    };
    try {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const from = mark();
          const client = r.hooks ? clients.hooks : clients.plain;
          const res = await within(
            client.open(r.method, r.target, {
              headers: r.headers,
              ...(r.body === undefined ? {} : { body: r.body }),
            }),
            describeRequest(r),
          );
          assert.ok(
            res.status < 500,
            `${res.status} for ${describeRequest(r)}: ${res.text().slice(0, 300)}`,
          );
          assert.deepEqual(problemsSince(from), [], describeRequest(r));
        }),
        { numRuns: 1000, examples: KNOWN_HOSTILE.map((r) => [r]), includeErrorInReport: true },
      );
    } finally {
      await clients.plain.close();
      await clients.hooks.close();
    }
  });

  test("written byte for byte to a real socket", async () => {
    const ports = {
      plain: await listen(apps.plain.app),
      hooks: await listen(apps.hooks.app),
    };
    try {
      await fc.assert(
        fc.asyncProperty(rawRequest, async (r) => {
          const from = mark();
          const shown = JSON.stringify(r.bytes.toString("latin1").slice(0, 400));
          const { data, reset } = await within(
            exchange(r.hooks ? ports.hooks : ports.plain, r.bytes),
            shown,
          );
          const status = /^HTTP\/1\.[01] (\d{3}) /.exec(data.toString("latin1"))?.[1];
          // A reset can drop an answer already sent (an early 400 to a request with a body);
          // any 500 phial sends is also logged, which the last check catches.
          assert.ok(
            status !== undefined || reset,
            `no status line for ${shown}: ${JSON.stringify(data.toString("latin1").slice(0, 200))}`,
          );
          assert.ok(status === undefined || Number(status) < 500, `${status} for ${shown}`);
          assert.deepEqual(problemsSince(from), [], shown);
        }),
        { numRuns: 200, includeErrorInReport: true },
      );
      // And the servers still answer.
      for (const port of [ports.plain, ports.hooks]) {
        const { data } = await exchange(
          port,
          Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
        );
        assert.match(data.toString("latin1"), /^HTTP\/1\.1 200 /);
      }
    } finally {
      await apps.plain.app.close({ timeout: 100 });
      await apps.hooks.app.close({ timeout: 100 });
    }
  });
});
