import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultConfig, validateConfig } from "../src/config.ts";
import { SetupError } from "../src/errors.ts";

test("defaults are valid and documented values", () => {
  const config = defaultConfig();
  assert.equal(config.maxContentLength, 1024 * 1024);
  assert.equal(config.maxFormMemorySize, 500_000);
  assert.equal(config.maxFormParts, 1000);
  assert.equal(config.debug, false);
  validateConfig(config);
});

test("a bad limit fails with a message naming the key", () => {
  for (const bad of [0, -1, 1.5, "10", Number.NaN, Number.POSITIVE_INFINITY]) {
    const config = { ...defaultConfig(), maxContentLength: bad as number };
    assert.throws(
      () => validateConfig(config),
      (err: unknown) => {
        assert.ok(err instanceof SetupError);
        assert.match(err.message, /config\.maxContentLength/);
        return true;
      },
    );
  }
  assert.throws(
    () => validateConfig({ ...defaultConfig(), debug: "yes" as unknown as boolean }),
    /config\.debug/,
  );
});

test("user keys are left alone", () => {
  validateConfig({ ...defaultConfig(), databaseUrl: "sqlite://x", anything: { nested: true } });
});
