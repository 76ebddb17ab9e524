import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Config } from "../src/config.ts";
import { ConfigError } from "../src/errors.ts";

function fromEnv(env: Record<string, string>, prefix?: string): Config {
  return new Config().fromEnv(prefix, env);
}

/** Asserts that `fn` throws a ConfigError whose message matches `pattern`. */
function throwsConfig(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe("fromEnv", () => {
  test("maps names to known keys ignoring case and underscores", () => {
    const config = fromEnv({
      PHIAL_MAX_CONTENT_LENGTH: "2048",
      PHIAL_SESSION_COOKIE_HTTPONLY: "false",
      PHIAL_SECRETKEY: "s3cret",
    });
    assert.equal(config.maxContentLength, 2048);
    assert.equal(config.sessionCookieHttpOnly, false);
    assert.equal(config.secretKey, "s3cret");
    assert.equal(fromEnv({ PHIAL_SESSION_COOKIE_HTTP_ONLY: "0" }).sessionCookieHttpOnly, false);
    config.validate();
  });

  test("booleans take 1/0, true/false, yes/no, on/off in any case", () => {
    for (const yes of ["1", "true", "TRUE", "yes", "Yes", "on", " on "]) {
      assert.equal(fromEnv({ PHIAL_DEBUG: yes }).debug, true, yes);
    }
    for (const no of ["0", "false", "False", "no", "NO", "off"]) {
      assert.equal(fromEnv({ PHIAL_DEBUG: no }).debug, false, no);
    }
    throwsConfig(
      () => fromEnv({ PHIAL_DEBUG: "maybe" }),
      /^PHIAL_DEBUG="maybe": config\.debug must be true or false; fix or unset the variable\.$/,
    );
  });

  test("numbers must be plain finite decimals within the key's range", () => {
    assert.equal(fromEnv({ PHIAL_MAX_FORM_PARTS: "1e3" }).maxFormParts, 1000);
    assert.equal(fromEnv({ PHIAL_SEND_FILE_MAX_AGE: "0" }).sendFileMaxAge, 0);
    for (const bad of ["abc", "", "0x10", "12px", "Infinity", "0", "-5", "1.5"]) {
      throwsConfig(
        () => fromEnv({ PHIAL_MAX_CONTENT_LENGTH: bad }),
        new RegExp(
          `^PHIAL_MAX_CONTENT_LENGTH=${JSON.stringify(bad).replaceAll(".", "\\.")}: config\\.maxContentLength must be a positive whole number of bytes`,
        ),
      );
    }
  });

  test("timeouts read as milliseconds; an empty handlerTimeout means none", () => {
    const config = fromEnv({
      PHIAL_HEADERS_TIMEOUT: "15000",
      PHIAL_REQUEST_TIMEOUT: "0",
      PHIAL_KEEP_ALIVE_TIMEOUT: "65000",
      PHIAL_CONNECTIONS_CHECKING_INTERVAL: "500",
      PHIAL_HANDLER_TIMEOUT: "",
    });
    assert.equal(config.headersTimeout, 15_000);
    assert.equal(config.requestTimeout, 0);
    assert.equal(config.keepAliveTimeout, 65_000);
    assert.equal(config.connectionsCheckingInterval, 500);
    assert.equal(config.handlerTimeout, null);
    assert.equal(fromEnv({ PHIAL_HANDLER_TIMEOUT: "2000" }).handlerTimeout, 2000);
    throwsConfig(
      () => fromEnv({ PHIAL_KEEP_ALIVE_TIMEOUT: "5s" }),
      /^PHIAL_KEEP_ALIVE_TIMEOUT="5s": config\.keepAliveTimeout must be a whole number of milliseconds/,
    );
  });

  test("an empty value sets a nullable key to null", () => {
    const config = fromEnv({
      PHIAL_SECRET_KEY: "",
      PHIAL_SEND_FILE_MAX_AGE: "",
      PHIAL_TRUSTED_HOSTS: "",
      PHIAL_TEMPLATES_AUTO_RELOAD: " ",
      PHIAL_SESSION_COOKIE_SAME_SITE: "",
      PHIAL_LOG_LEVEL: "",
    });
    for (const key of [
      "secretKey",
      "sendFileMaxAge",
      "trustedHosts",
      "templatesAutoReload",
      "sessionCookieSameSite",
      "logLevel",
    ]) {
      assert.equal(config[key], null, key);
    }
    throwsConfig(
      () => fromEnv({ PHIAL_SESSION_COOKIE_NAME: "" }),
      /config\.sessionCookieName must be a cookie name/,
    );
  });

  test("strings stay as written; choices ignore case", () => {
    const config = fromEnv({
      PHIAL_SECRET_KEY: " spaced secret ",
      PHIAL_SESSION_COOKIE_SAME_SITE: "strict",
      PHIAL_PREFERRED_URL_SCHEME: "HTTPS",
      PHIAL_LOG_LEVEL: "Info",
    });
    assert.equal(config.secretKey, " spaced secret ");
    assert.equal(config.sessionCookieSameSite, "Strict");
    assert.equal(config.preferredUrlScheme, "https");
    assert.equal(config.logLevel, "info");
    throwsConfig(
      () => fromEnv({ PHIAL_LOG_LEVEL: "loud" }),
      /^PHIAL_LOG_LEVEL="loud": config\.logLevel must be .* \(an empty value means null\)/,
    );
  });

  test("lists take a JSON array or a comma-separated list", () => {
    assert.deepEqual(fromEnv({ PHIAL_TRUSTED_HOSTS: '["a.com", "b.com"]' }).trustedHosts, [
      "a.com",
      "b.com",
    ]);
    assert.deepEqual(fromEnv({ PHIAL_TRUSTED_HOSTS: "a.com, b.com,," }).trustedHosts, [
      "a.com",
      "b.com",
    ]);
    assert.deepEqual(fromEnv({ PHIAL_SECRET_KEY_FALLBACKS: "old1,old2" }).secretKeyFallbacks, [
      "old1",
      "old2",
    ]);
    throwsConfig(
      () => fromEnv({ PHIAL_TRUSTED_HOSTS: '["a.com"' }),
      /PHIAL_TRUSTED_HOSTS=.*config\.trustedHosts must be an array of host names/,
    );
    throwsConfig(() => fromEnv({ PHIAL_TRUSTED_HOSTS: "[1, 2]" }), /config\.trustedHosts/);
  });

  test("secrets that fail to convert are not echoed", () => {
    throwsConfig(
      () => fromEnv({ PHIAL_SECRET_KEY_FALLBACKS: '["hunter2", 7]' }),
      /^PHIAL_SECRET_KEY_FALLBACKS=\(value hidden\): config\.secretKeyFallbacks/,
    );
  });

  test("trustProxy takes a boolean word, a hop count, or addresses", () => {
    assert.equal(fromEnv({ PHIAL_TRUST_PROXY: "true" }).trustProxy, true);
    assert.equal(fromEnv({ PHIAL_TRUST_PROXY: "off" }).trustProxy, false);
    assert.equal(fromEnv({ PHIAL_TRUST_PROXY: "2" }).trustProxy, 2);
    assert.deepEqual(fromEnv({ PHIAL_TRUST_PROXY: "10.0.0.0/8, ::1" }).trustProxy, [
      "10.0.0.0/8",
      "::1",
    ]);
    assert.deepEqual(fromEnv({ PHIAL_TRUST_PROXY: '["127.0.0.1"]' }).trustProxy, ["127.0.0.1"]);
    throwsConfig(
      () => fromEnv({ PHIAL_TRUST_PROXY: "proxy.local" }),
      /^PHIAL_TRUST_PROXY="proxy\.local": config\.trustProxy must be/,
    );
    throwsConfig(() => fromEnv({ PHIAL_TRUST_PROXY: "10.0.0.0/33" }), /config\.trustProxy/);
  });

  test("unknown names become camelCase keys, JSON when it parses and text otherwise", () => {
    const config = fromEnv({
      PHIAL_MY_SETTING: "plain text",
      PHIAL_WORKERS: "4",
      PHIAL_FEATURE_FLAGS: '{"beta": true}',
      PHIAL_ENABLED: "true",
      PHIAL_NOTHING: "null",
    });
    assert.equal(config.mySetting, "plain text");
    assert.equal(config.workers, 4);
    assert.deepEqual(config.featureFlags, { beta: true });
    assert.equal(config.enabled, true);
    assert.equal(config.nothing, null);
    config.validate();
  });

  test("__ nests into plain objects, merged over a parent value", () => {
    const config = fromEnv({
      PHIAL_DB__HOST: "db.local",
      PHIAL_DB__POOL__MAX_SIZE: "10",
      PHIAL_DB: '{"port": 5432}',
    });
    assert.deepEqual(config.db, { port: 5432, host: "db.local", pool: { maxSize: 10 } });

    const shared = { host: "localhost" };
    const merged = new Config({ db: shared }).fromEnv("PHIAL_", { PHIAL_DB__PORT: "1" });
    assert.deepEqual(merged.db, { host: "localhost", port: 1 });
    assert.deepEqual(shared, { host: "localhost" }, "the caller's object is not changed");

    throwsConfig(
      () => fromEnv({ PHIAL_DB: "text", PHIAL_DB__HOST: "x" }),
      /^PHIAL_DB__HOST: config\.db is a string, not an object/,
    );
    throwsConfig(
      () => fromEnv({ PHIAL_DEBUG__LEVEL: "1" }),
      /^PHIAL_DEBUG__LEVEL: config\.debug is not an object/,
    );
    throwsConfig(
      () => fromEnv({ PHIAL_DB____HOST: "x" }),
      /^PHIAL_DB____HOST: a part of the name is empty/,
    );
  });

  test("only variables with the prefix are read, and never a typo'd key", () => {
    const config = fromEnv(
      {
        MAX_CONTENT_LENGTH: "1",
        PHIALX_DEBUG: "1",
        phial_debug: "1",
        PHIAL_: "ignored",
        SHOP_DEBUG: "yes",
      },
      "SHOP_",
    );
    assert.equal(config.debug, true);
    assert.equal(config.maxContentLength, 1024 * 1024);
    assert.deepEqual(
      Object.keys(config).filter((k) => !(k in new Config())),
      [],
    );
    assert.equal(fromEnv({ SHOP_DEBUG: "1" }).debug, false, "the default prefix is PHIAL_");
    throwsConfig(() => fromEnv({ X: "1" }, ""), /needs a prefix/);
    throwsConfig(
      () => fromEnv({ PHIAL_VALIDATE: "1" }),
      /^PHIAL_VALIDATE: "validate" cannot be a setting/,
    );
  });
});

describe("fromFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "phial-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  test("loads a JSON object of settings, yours included", () => {
    const path = file(
      "config.json",
      '\uFEFF{"maxContentLength": 4096, "secretKey": "s", "db": {"host": "x"}}',
    );
    const config = new Config().fromFile(path);
    assert.equal(config.maxContentLength, 4096);
    assert.equal(config.secretKey, "s");
    assert.deepEqual(config.db, { host: "x" });
  });

  test("a missing file is an error naming it, unless optional", () => {
    const path = join(dir, "missing.json");
    throwsConfig(
      () => new Config().fromFile(path),
      /The config file ".*missing\.json" does not exist .* pass \{ optional: true \}/,
    );
    const config = new Config();
    assert.equal(config.fromFile(path, { optional: true }), config);
    throwsConfig(() => new Config().fromFile(dir), /cannot be read/);
  });

  test("invalid JSON names the file and the parse problem", () => {
    const path = file("bad.json", '{"debug": true,}');
    throwsConfig(
      () => new Config().fromFile(path),
      /The config file ".*bad\.json" is not valid JSON: .+/,
    );
  });

  test("the top level must be an object", () => {
    const path = file("list.json", "[1, 2]");
    throwsConfig(
      () => new Config().fromFile(path),
      /must hold a JSON object of settings.*got an array/,
    );
  });

  test("bad values and typos are reported with the file's name", () => {
    const limit = file("limit.json", '{"maxContentLength": "big"}');
    throwsConfig(
      () => new Config().fromFile(limit),
      /limit\.json: config\.maxContentLength must be a positive whole number of bytes, got "big"/,
    );
    const typo = file("typo.json", '{"SECRET_KEY": "s"}');
    throwsConfig(
      () => new Config().fromFile(typo),
      /typo\.json: config\.SECRET_KEY is not a phial setting; did you mean config\.secretKey\?/,
    );
  });
});
