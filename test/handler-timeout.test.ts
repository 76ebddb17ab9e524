import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { Blueprint, HandlerTimeout, Phial, ServiceUnavailable } from "../src/index.ts";
import { silentLogger } from "./helpers/logger.ts";
import { sleep, until } from "./helpers/raw-socket.ts";

/** Resolves when `signal` aborts, with its reason. */
function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    signal.addEventListener("abort", () => resolve(signal.reason), { once: true });
  });
}

/** Runs `fn` and fails if any promise rejection went unhandled meanwhile. */
async function noUnhandledRejections(fn: () => Promise<void>): Promise<void> {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on("unhandledRejection", record);
  try {
    await fn();
    await sleep(50); // rejections are reported after the microtask queue drains
  } finally {
    process.off("unhandledRejection", record);
  }
  assert.deepEqual(unhandled, []);
}

describe("a route's timeout", { concurrency: true, timeout: 20_000 }, () => {
  test("answers 503 through the error page, aborts req.signal and drops the late value", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger });
    let reason: unknown;
    let lateRejected = false;
    app.get("/slow", { timeout: 150 }, async (req) => {
      reason = await aborted(req.signal);
      return "too late";
    });
    app.get("/fails-late", { timeout: 150 }, async (req) => {
      await aborted(req.signal);
      lateRejected = true;
      throw new Error("gave up after the answer was sent");
    });
    const client = app.testClient();
    await noUnhandledRejections(async () => {
      const json = await client.get("/slow", { headers: { accept: "application/json" } });
      assert.equal(json.status, 503);
      const body = (await json.json()) as { error: { code: string } };
      assert.equal(body.error.code, "handler_timeout");
      assert.ok(reason instanceof HandlerTimeout);
      assert.ok(reason instanceof ServiceUnavailable);
      assert.equal(reason.timeout, 150);
      const html = await client.get("/slow");
      assert.equal(html.status, 503);
      assert.match(html.text(), /<title>503 Service Unavailable<\/title>/);
      assert.doesNotMatch(html.text(), /too late/);
      assert.equal((await client.get("/fails-late")).status, 503);
      await until(() => lateRejected, "the late rejection");
    });
    assert.deepEqual(logger.errors, [], "a timeout is not an unhandled error");
    const warning = logger.records.find((r) => r.level === "warn");
    assert.match(String(warning?.message), /GET \/slow did not answer within 150 ms/);
  });

  test("a handler that answers in time is untouched", async () => {
    const app = new Phial();
    app.get("/quick", { timeout: 1000 }, async () => {
      await sleep(10);
      return { ok: true };
    });
    app.get("/sync", { timeout: 1 }, () => "sync values are never late");
    const client = app.testClient();
    assert.deepEqual(await (await client.get("/quick")).json(), { ok: true });
    assert.equal((await client.get("/sync")).text(), "sync values are never late");
  });

  test("config.handlerTimeout is the default; a route's own timeout or null wins", async () => {
    const app = new Phial({ logger: silentLogger(), config: { handlerTimeout: 150 } });
    const waitForAbort = async (req: { signal: AbortSignal }) => {
      await aborted(req.signal);
      return "late";
    };
    app.get("/default", waitForAbort);
    app.get("/own", { timeout: 5000 }, async () => {
      await sleep(400);
      return "own limit";
    });
    app.get("/none", { timeout: null }, async () => {
      await sleep(400);
      return "no limit";
    });
    const client = app.testClient();
    assert.equal((await client.get("/default")).status, 503);
    assert.equal((await client.get("/own")).text(), "own limit");
    assert.equal((await client.get("/none")).text(), "no limit");
  });

  test("applies to blueprint and decorated routes, and their error handlers answer", async () => {
    const app = new Phial({ logger: silentLogger() });
    const api = new Blueprint("api", { urlPrefix: "/api" });
    api.get("/slow", { timeout: 150 }, async (req) => {
      await aborted(req.signal);
      return "late";
    });
    api.errorHandler(HandlerTimeout, (err) => [{ busy: true, after: err.timeout }, 503]);
    api.afterRequest((res) => {
      res.headers.set("Retry-After", "1");
      return res;
    });
    class Reports {
      @app.route("/report", { timeout: 150 })
      static async report(req: { signal: AbortSignal }) {
        await aborted(req.signal);
        return "late";
      }
    }
    assert.ok(Reports);
    app.registerBlueprint(api);
    const client = app.testClient();
    const res = await client.get("/api/slow");
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { busy: true, after: 150 });
    assert.equal(res.headers.get("retry-after"), "1");
    assert.equal((await client.get("/report")).status, 503);
  });

  test("covers the handler only: beforeRequest hooks are not timed", async () => {
    const app = new Phial();
    app.beforeRequest(async () => {
      await sleep(400);
    });
    app.get("/", { timeout: 150 }, async () => "after a slow hook");
    assert.equal((await app.testClient().get("/")).text(), "after a slow hook");
  });

  test("a stream returned too late is released, not left open", async () => {
    const app = new Phial({ logger: silentLogger() });
    let released = false;
    app.get("/stream", { timeout: 150 }, async (req) => {
      await aborted(req.signal);
      // As a file stream would hold its descriptor until destroyed.
      return new Readable({
        read() {},
        destroy(err, callback) {
          released = true;
          callback(err);
        },
      });
    });
    assert.equal((await app.testClient().get("/stream")).status, 503);
    await until(() => released, "the late stream to be released");
  });

  test("a timeout that is not whole milliseconds is refused when the route is registered", () => {
    const app = new Phial();
    for (const timeout of [0, -5, 1.5, "100", 2 ** 31]) {
      assert.throws(() => app.get("/x", { timeout: timeout as number }, () => "x"), {
        name: "SetupError",
        code: "invalid_route_timeout",
        message: /The timeout of route "\/x" must be a whole number of milliseconds/,
      });
    }
  });
});
