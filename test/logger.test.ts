import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Phial } from "../src/index.ts";
import { consoleLogger, type LogSink, PhialLogger, resolveLogLevel } from "../src/logger.ts";
import { silentLogger } from "./helpers/logger.ts";

/** A console-style sink: no `child`, records each call's arguments. */
function consoleLike(): LogSink & { calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  const at =
    (level: string) =>
    (...args: unknown[]) =>
      void calls.push([level, args]);
  return { calls, error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}

describe("levels", () => {
  test("Flask's rule: logLevel if set, else debug when debugging, else warn", () => {
    assert.equal(resolveLogLevel({ logLevel: null, debug: false }), "warn");
    assert.equal(resolveLogLevel({ logLevel: null, debug: true }), "debug");
    assert.equal(resolveLogLevel({ logLevel: "error", debug: true }), "error");
    assert.equal(resolveLogLevel(undefined), "warn");
  });

  test("lines below the level are dropped; silent drops everything", () => {
    const sink = silentLogger();
    const logger = new PhialLogger(sink, { level: "info" });
    logger.debug("hidden");
    logger.info("shown");
    logger.error("shown too");
    assert.deepEqual(
      sink.records.map((r) => r.message),
      ["shown", "shown too"],
    );
    assert.equal(logger.isEnabled("debug"), false);
    logger.level = "silent";
    logger.error("dropped");
    assert.equal(sink.records.length, 2);
    assert.equal(logger.isEnabled("error"), false);
    assert.throws(() => {
      logger.level = "loud" as "info";
    }, /A log level must be one of "debug", "info"/);
  });

  test("the level follows the bound config until it is set, and again after null", () => {
    const config = { logLevel: null as "info" | null, debug: false };
    const logger = new PhialLogger(silentLogger()).configure(config);
    assert.equal(logger.level, "warn");
    config.debug = true;
    assert.equal(logger.level, "debug");
    config.logLevel = "info";
    assert.equal(logger.level, "info");
    logger.level = "error";
    assert.equal(logger.level, "error");
    logger.level = null;
    assert.equal(logger.level, "info");
  });

  test("app.logger follows app.config", () => {
    const app = new Phial({ logger: silentLogger() });
    assert.ok(app.logger instanceof PhialLogger);
    assert.equal(app.logger.level, "warn");
    app.config.debug = true;
    assert.equal(app.logger.level, "debug");
    app.config.logLevel = "error";
    assert.equal(app.logger.level, "error");
    const shared = new PhialLogger(silentLogger());
    assert.equal(new Phial({ logger: shared }).logger, shared, "a PhialLogger is used as is");
  });
});

describe("sink conventions", () => {
  test("a sink with child() is pino-style and gets (fields, message)", () => {
    const calls: unknown[][] = [];
    const pinoLike = {
      error: (...args: unknown[]) => void calls.push(["error", ...args]),
      warn: (...args: unknown[]) => void calls.push(["warn", ...args]),
      info: (...args: unknown[]) => void calls.push(["info", ...args]),
      debug: (...args: unknown[]) => void calls.push(["debug", ...args]),
      child: () => pinoLike,
    };
    const logger = new PhialLogger(pinoLike, { level: "debug" });
    assert.equal(logger.style, "pino");
    const err = new Error("card declined");
    logger.error("Payment failed", { err, orderId: 42 });
    logger.info("Started");
    assert.deepEqual(calls, [
      ["error", { err, orderId: 42 }, "Payment failed"],
      ["info", {}, "Started"],
    ]);
  });

  test("a console-style sink gets one readable line, then the error", () => {
    const sink = consoleLike();
    const logger = new PhialLogger(sink, { level: "debug" });
    assert.equal(logger.style, "console");
    const err = new Error("card declined");
    logger.error("Payment failed", { err, orderId: 42, user: "ada lovelace", tags: ["a"] });
    logger.warn("Disk low");
    assert.deepEqual(sink.calls, [
      ["error", ['[phial] Payment failed orderId=42 user="ada lovelace" tags=["a"]', err]],
      ["warn", ["[phial] Disk low"]],
    ]);
  });

  test("the old (message, err) call shape still reaches the sink as err", () => {
    const sink = silentLogger();
    const logger = new PhialLogger(sink);
    const err = new TypeError("bad");
    logger.error("Unhandled error in GET /:", err as never);
    assert.deepEqual(sink.errors, [["Unhandled error in GET /:", { err }]]);
  });

  test("request() logs one line at info with structured fields", () => {
    const sink = silentLogger();
    const logger = new PhialLogger(sink, { level: "info" });
    logger.request("GET", "/users/7", 200, 1.4321);
    assert.deepEqual(sink.records, [
      {
        level: "info",
        message: "GET /users/7 200 1.4 ms",
        fields: { method: "GET", path: "/users/7", status: 200, ms: 1.4321 },
      },
    ]);
    const plain = consoleLike();
    new PhialLogger(plain, { level: "info" }).request("POST", "/x", 201, 12);
    assert.deepEqual(plain.calls, [["info", ["[phial] POST /x 201 12.0 ms"]]]);
    logger.level = "warn";
    logger.request("GET", "/", 200, 1);
    assert.equal(sink.records.length, 1, "nothing below info");
  });

  test("a throwing sink does not break the caller or the request", async () => {
    const broken: LogSink = {
      error() {
        throw new Error("log pipe closed");
      },
      warn() {
        throw new Error("log pipe closed");
      },
      info() {},
      debug() {},
    };
    new PhialLogger(broken).error("still fine");
    const app = new Phial({ logger: broken });
    app.get("/boom", () => {
      throw new Error("handler failed");
    });
    app.get("/ok", () => "ok");
    const client = app.testClient();
    assert.equal((await client.get("/boom")).status, 500);
    assert.equal((await client.get("/ok")).text(), "ok");
  });
});

describe("the default console logger", () => {
  test("prints warnings and errors, nothing at info or debug", (t) => {
    const info = t.mock.method(console, "info", () => {});
    const debug = t.mock.method(console, "debug", () => {});
    const warn = t.mock.method(console, "warn", () => {});
    const logger = new Phial().logger;
    assert.equal(logger.sink, console);
    logger.info("hello");
    logger.debug("details");
    logger.request("GET", "/", 200, 1);
    logger.warn("careful", { size: 5000 });
    assert.equal(info.mock.callCount(), 0);
    assert.equal(debug.mock.callCount(), 0);
    assert.deepEqual(
      warn.mock.calls.map((c) => c.arguments),
      [["[phial] careful size=5000"]],
    );
  });

  test("consoleLogger() is a PhialLogger over the console", () => {
    const logger = consoleLogger();
    assert.ok(logger instanceof PhialLogger);
    assert.equal(logger.sink, console);
    assert.equal(logger.level, "warn");
  });
});

describe("request lines", () => {
  /** Waits until the sink holds `n` info lines: they are written when the response closes. */
  async function infoLines(logger: ReturnType<typeof silentLogger>, n: number) {
    for (let i = 0; i < 200; i++) {
      const lines = logger.records.filter((r) => r.level === "info");
      if (lines.length >= n) return lines;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error("no request line was logged");
  }

  test("in debug, every request logs method, path, status and time once", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger, config: { debug: true } });
    app.get("/users/<int:id>", (req) => ({ id: req.params.id }));
    const client = app.testClient();
    await client.get("/users/7?x=1");
    await client.post("/users/7");
    await client.get("/missing");
    const lines = await infoLines(logger, 3);
    assert.deepEqual(
      lines.map((l) => [l.fields.method, l.fields.path, l.fields.status]),
      [
        ["GET", "/users/7", 200],
        ["POST", "/users/7", 405],
        ["GET", "/missing", 404],
      ],
    );
    for (const line of lines) {
      assert.equal(typeof line.fields.ms, "number");
      assert.match(line.message, /^(GET|POST) \/\S+ \d{3} \d+\.\d ms$/);
    }
  });

  test("outside debug nothing is logged per request, decided at start-up", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger });
    app.get("/", () => "ok");
    const client = app.testClient();
    await client.get("/");
    // Decided when the app started serving: turning debug on later does not add request lines.
    app.config.debug = true;
    await client.get("/");
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(logger.records, []);
  });
});
