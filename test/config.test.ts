import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Config, defaultConfig, validateConfig } from "../src/config.ts";
import { ConfigError, SetupError } from "../src/errors.ts";
import { Phial } from "../src/index.ts";
import { silentLogger } from "./helpers/logger.ts";

/** Asserts that `fn` throws a ConfigError whose message matches `pattern`. */
function throwsConfig(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.ok(err instanceof SetupError);
    assert.equal(err.code, "invalid_config");
    assert.match(err.message, pattern);
    return true;
  });
}

describe("defaults", () => {
  test("every known key starts at Flask's default and validates", () => {
    const config = new Config();
    assert.equal(config.debug, false);
    assert.equal(config.testing, false);
    assert.equal(config.secretKey, null);
    assert.deepEqual(config.secretKeyFallbacks, []);
    assert.equal(config.maxContentLength, 1024 * 1024);
    assert.equal(config.maxFormMemorySize, 500_000);
    assert.equal(config.maxFormParts, 1000);
    assert.equal(config.maxQueryParams, 1000);
    assert.equal(config.sessionCookieName, "session");
    assert.equal(config.sessionCookieDomain, null);
    assert.equal(config.sessionCookiePath, null);
    assert.equal(config.sessionCookieHttpOnly, true);
    assert.equal(config.sessionCookieSecure, false);
    assert.equal(config.sessionCookieSameSite, "Lax");
    assert.equal(config.sessionCookiePartitioned, false);
    assert.equal(config.sessionRefreshEachRequest, true);
    assert.equal(config.permanentSessionLifetime, 2_678_400);
    assert.equal(config.sendFileMaxAge, null);
    assert.equal(config.trustedHosts, null);
    assert.equal(config.trustProxy, false);
    assert.equal(config.preferredUrlScheme, "http");
    assert.equal(config.serverName, null);
    assert.equal(config.applicationRoot, "/");
    assert.equal(config.templatesAutoReload, null);
    assert.equal(config.maxCookieSize, 4093);
    assert.equal(config.logLevel, null);
    assert.equal(config.headersTimeout, 20_000);
    assert.equal(config.requestTimeout, 120_000);
    assert.equal(config.keepAliveTimeout, 5_000);
    assert.equal(config.connectionsCheckingInterval, 1_000);
    assert.equal(config.handlerTimeout, null);
    assert.equal(config.validate(), config, "validate() chains");
  });

  test("defaultConfig() is a fresh Config; apps never share a default array", () => {
    const a = defaultConfig();
    const b = new Config();
    assert.ok(a instanceof Config);
    a.secretKeyFallbacks.push("old");
    assert.deepEqual(b.secretKeyFallbacks, []);
  });
});

describe("fromObject", () => {
  test("copies known and user keys, chains, and skips undefined", () => {
    const config = new Config({ debug: true });
    const returned = config.fromObject({
      maxContentLength: 2048,
      databaseUrl: "sqlite://app.db",
      secretKey: undefined,
    });
    assert.equal(returned, config);
    assert.equal(config.debug, true);
    assert.equal(config.maxContentLength, 2048);
    assert.equal(config.databaseUrl, "sqlite://app.db");
    assert.equal(config.secretKey, null, "undefined keeps the default");
  });

  test("anything but a plain object is refused", () => {
    const config = new Config();
    for (const bad of [null, "debug=1", 3, ["debug"], new Map()]) {
      throwsConfig(
        () => config.fromObject(bad as never),
        /config\.fromObject\(\) needs a plain object/,
      );
    }
  });

  test("names that would break the object itself are refused", () => {
    const config = new Config();
    throwsConfig(() => config.fromObject({ validate: true }), /"validate" cannot be a setting/);
    throwsConfig(() => config.fromObject({ toString: "x" }), /"toString" cannot be a setting/);
    throwsConfig(
      () => config.fromObject(JSON.parse('{"__proto__": {"debug": true}}')),
      /__proto__/,
    );
    assert.equal(Object.getPrototypeOf(config), Config.prototype);
  });
});

describe("validate", () => {
  test("a bad limit fails with a message naming the key", () => {
    for (const bad of [0, -1, 1.5, "10", Number.NaN, Number.POSITIVE_INFINITY]) {
      const config = { ...defaultConfig(), maxContentLength: bad as number };
      throwsConfig(
        () => validateConfig(config),
        /config\.maxContentLength must be a positive whole number of bytes/,
      );
    }
    throwsConfig(
      () => validateConfig({ ...defaultConfig(), debug: "yes" as unknown as boolean }),
      /config\.debug must be true or false, got "yes"/,
    );
  });

  test("each kind of key says what it accepts", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { sessionCookieSameSite: "lax" },
        /config\.sessionCookieSameSite must be "Lax", "Strict", "None" or null, got "lax"; did you mean "Lax"\?/,
      ],
      [
        { preferredUrlScheme: "ftp" },
        /config\.preferredUrlScheme must be "http" or "https", got "ftp"/,
      ],
      [
        { logLevel: "verbose" },
        /config\.logLevel must be "debug", "info", "warn", "error", "silent" or null/,
      ],
      [{ maxFormParts: "5" }, /got "5"; write it as a number, without quotes/],
      [{ testing: "false" }, /write it as a boolean, without quotes/],
      [
        { sendFileMaxAge: -1 },
        /config\.sendFileMaxAge must be a whole number of seconds, 0 or more, or null/,
      ],
      [{ maxCookieSize: 1.5 }, /config\.maxCookieSize must be a whole number of bytes, 0 or more/],
      [
        { permanentSessionLifetime: 0 },
        /config\.permanentSessionLifetime must be a positive whole number of seconds/,
      ],
      [{ sessionCookieName: "my session" }, /config\.sessionCookieName must be a cookie name/],
      [
        { sessionCookiePath: "admin" },
        /config\.sessionCookiePath must be a path starting with "\/" or null/,
      ],
      [{ sessionCookieDomain: "" }, /config\.sessionCookieDomain must be a domain name or null/],
      [
        { applicationRoot: null },
        /config\.applicationRoot must be a path starting with "\/", got null/,
      ],
      [{ serverName: "example.com/app" }, /config\.serverName must be a host name/],
      [
        { trustedHosts: "example.com" },
        /config\.trustedHosts must be an array of host names, or null/,
      ],
      [
        { trustProxy: "10.0.0.300" },
        /config\.trustProxy must be true, false, a number of proxy hops/,
      ],
      [{ trustProxy: -1 }, /config\.trustProxy/],
      [
        { templatesAutoReload: 1 },
        /config\.templatesAutoReload must be true, false or null, got 1/,
      ],
    ];
    for (const [patch, pattern] of cases) {
      throwsConfig(() => new Config(patch).validate(), pattern);
    }
  });

  test("secrets are never echoed", () => {
    const config = new Config({ secretKey: 12345 as unknown as string });
    throwsConfig(
      () => config.validate(),
      /config\.secretKey must be a non-empty string or null, got a number \(value hidden\)/,
    );
    const fallbacks = new Config({ secretKeyFallbacks: ["top-secret", ""] });
    assert.throws(
      () => fallbacks.validate(),
      (err: Error) => !err.message.includes("top-secret"),
    );
  });

  test("valid values of every shape pass", () => {
    new Config({
      secretKey: "s3cret",
      secretKeyFallbacks: ["old"],
      sessionCookieSameSite: null,
      sendFileMaxAge: 0,
      trustedHosts: ["example.com", ".example.org", "localhost:5000"],
      serverName: "example.com:8443",
      sessionCookieDomain: ".example.com",
      sessionCookiePath: "/app",
      applicationRoot: "/app",
      templatesAutoReload: false,
      logLevel: "silent",
      maxCookieSize: 0,
    }).validate();
    for (const trustProxy of [
      true,
      0,
      2,
      "127.0.0.1",
      "10.0.0.0/8, ::1",
      ["fd00::/8"],
      () => true,
    ]) {
      new Config({ trustProxy }).validate();
    }
  });

  test("settings browsers refuse together are reported with the fix", () => {
    throwsConfig(
      () => new Config({ sessionCookieSameSite: "None" }).validate(),
      /accept only on secure cookies; set config\.sessionCookieSecure = true/,
    );
    throwsConfig(
      () => new Config({ sessionCookiePartitioned: true }).validate(),
      /config\.sessionCookiePartitioned needs config\.sessionCookieSecure = true/,
    );
    new Config({ sessionCookieSameSite: "None", sessionCookieSecure: true }).validate();
  });

  test("a user key that spells a known key differently is caught as a typo", () => {
    for (const [typo, known] of [
      ["maxcontentlength", "maxContentLength"],
      ["secret_key", "secretKey"],
      ["SECRET_KEY", "secretKey"],
      ["SessionCookieHTTPOnly", "sessionCookieHttpOnly"],
    ]) {
      throwsConfig(
        () => new Config({ [typo as string]: "x" }).validate(),
        new RegExp(`config\\.${typo} is not a phial setting; did you mean config\\.${known}\\?`),
      );
    }
  });

  test("user keys are left alone", () => {
    validateConfig({ ...defaultConfig(), databaseUrl: "sqlite://x", anything: { nested: true } });
    new Config({ maxContentLengthMb: 3, secretKeys: ["a"] }).validate();
  });
});

describe("app.config", () => {
  test("new Phial({ config }) is a Config the requests read", async () => {
    const app = new Phial({
      logger: silentLogger(),
      config: { maxContentLength: 10, team: "core" },
    });
    assert.ok(app.config instanceof Config);
    assert.equal(app.config.team, "core");
    app.post("/echo", async (req) => req.text());
    const client = app.testClient();
    assert.equal((await client.post("/echo", { body: "short" })).text(), "short");
    assert.equal((await client.post("/echo", { body: "far too long" })).status, 413);
  });

  test("app.config.fromEnv() before the first request sets the limit", async () => {
    const app = new Phial({ logger: silentLogger() });
    app.config.fromEnv("SHOP_", { SHOP_MAX_CONTENT_LENGTH: "10", SHOP_DEBUG: "on" });
    app.post("/echo", async (req) => req.text());
    assert.equal(app.config.debug, true);
    assert.equal((await app.testClient().post("/echo", { body: "x".repeat(11) })).status, 413);
  });

  test("an invalid setting answers 500 and logs the reason", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger, config: { sessionCookieSameSite: "strict" as "Strict" } });
    app.get("/", () => "never");
    const res = await app.testClient().get("/");
    assert.equal(res.status, 500);
    assert.doesNotMatch(res.text(), /sessionCookieSameSite/);
    const [message, fields] = logger.errors[0] ?? ["", {}];
    assert.match(
      message,
      /The app is misconfigured: config\.sessionCookieSameSite .* did you mean "Strict"\?/,
    );
    assert.ok(fields.err instanceof ConfigError);
  });
});

describe("slow-client timeouts", () => {
  test("are whole milliseconds that Node's timers can hold", () => {
    const keys = ["headersTimeout", "keepAliveTimeout", "connectionsCheckingInterval"];
    for (const key of keys) {
      for (const bad of [0, -1, 1.5, "500", 2 ** 31, null]) {
        throwsConfig(
          () => new Config({ [key]: bad }).validate(),
          new RegExp(`config\\.${key} must be a whole number of milliseconds from 1 to 2147483647`),
        );
      }
    }
    throwsConfig(
      () => new Config({ requestTimeout: -1 }).validate(),
      /config\.requestTimeout must be a whole number of milliseconds from 0 to 2147483647 \(0 turns it off\)/,
    );
    throwsConfig(
      () => new Config({ handlerTimeout: 0 }).validate(),
      /config\.handlerTimeout must be a whole number of milliseconds from 1 to 2147483647, or null/,
    );
    new Config({ requestTimeout: 0, handlerTimeout: 2 ** 31 - 1 }).validate();
  });

  test("headersTimeout above requestTimeout is refused at start-up, naming both", async () => {
    throwsConfig(
      () => new Config({ headersTimeout: 5000, requestTimeout: 1000 }).validate(),
      /config\.headersTimeout \(5000 ms\) must not exceed config\.requestTimeout \(1000 ms\)/,
    );
    new Config({ headersTimeout: 5000, requestTimeout: 0 }).validate();
    const app = new Phial({ config: { headersTimeout: 5000, requestTimeout: 1000 } });
    await assert.rejects(app.listen({ port: 0 }), /must not exceed config\.requestTimeout/);
  });

  test("listen() and serverOptions() give the server the configured values", async () => {
    const app = new Phial({
      config: {
        headersTimeout: 1234,
        requestTimeout: 5678,
        keepAliveTimeout: 910,
        connectionsCheckingInterval: 250,
      },
    });
    assert.deepEqual(app.serverOptions(), {
      headersTimeout: 1234,
      requestTimeout: 5678,
      keepAliveTimeout: 910,
      connectionsCheckingInterval: 250,
    });
    const server = await app.listen({ port: 0 });
    try {
      assert.equal(server.headersTimeout, 1234);
      assert.equal(server.requestTimeout, 5678);
      assert.equal(server.keepAliveTimeout, 910);
    } finally {
      await app.close();
    }
    app.config.keepAliveTimeout = 0;
    throwsConfig(() => app.serverOptions(), /config\.keepAliveTimeout must be/);
  });
});
