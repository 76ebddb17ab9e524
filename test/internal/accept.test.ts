import assert from "node:assert/strict";
import { test } from "node:test";
import { prefersJson } from "../../src/internal/accept.ts";

test("JSON-only clients prefer JSON", () => {
  assert.equal(prefersJson("application/json"), true);
  assert.equal(prefersJson("Application/JSON"), true);
  assert.equal(prefersJson("application/problem+json"), true);
  assert.equal(prefersJson("application/vnd.api+json; charset=utf-8"), true);
  assert.equal(prefersJson("*/*+json"), true);
  assert.equal(prefersJson("application/json, */*;q=0.1"), true);
  assert.equal(prefersJson("application/json;q=0.9, text/html;q=0.8"), true);
  assert.equal(prefersJson("application/*"), true);
});

test("missing header, */* and browsers get HTML", () => {
  assert.equal(prefersJson(undefined), false);
  assert.equal(prefersJson(""), false);
  assert.equal(prefersJson("*/*"), false);
  assert.equal(
    prefersJson("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"),
    false,
  );
  assert.equal(prefersJson("text/html, application/json"), false, "a tie is not a preference");
  assert.equal(prefersJson("text/html;q=0.5, application/json;q=0.5"), false);
  assert.equal(prefersJson("text/*, application/json;q=0.9"), false);
});

test("the most specific range decides, not the order", () => {
  assert.equal(prefersJson("*/*;q=0.1, application/json"), true);
  assert.equal(prefersJson("application/json;q=0.2, */*"), false, "html inherits */*'s q=1");
  assert.equal(prefersJson("application/json;q=0, */*;q=0.5"), false);
});

test("q parameter parsing", () => {
  assert.equal(prefersJson("application/json; Q=0.9, text/html; q=0.1"), true);
  assert.equal(prefersJson("application/json; level=1; q=0.9, text/html;q=0.5"), true);
  assert.equal(prefersJson("application/json;q=1.000, text/html;q=0.999"), true);
  // A malformed q disqualifies its entry instead of being read as something.
  assert.equal(prefersJson("application/json;q=2"), false);
  assert.equal(prefersJson("application/json;q=abc"), false);
  assert.equal(prefersJson("application/json;q=-1"), false);
  assert.equal(prefersJson("application/json;q=1.5"), false);
  assert.equal(prefersJson("application/json;q=0.1234"), false);
});

test("garbage never throws and never prefers JSON", () => {
  for (const junk of [
    ",,,",
    ";;;",
    "/",
    "json",
    "application/",
    "/json",
    ";q=1",
    "\u0000\uffff",
    "a/b;q",
    "text/html;;;q==",
  ]) {
    assert.equal(prefersJson(junk), false, JSON.stringify(junk));
  }
});

test("linear on adversarial input", () => {
  const inputs = [
    `${"a/b;".repeat(20_000)}q=1`,
    ",".repeat(100_000),
    `application/json;${" ".repeat(100_000)}q=0.5`,
    `${"application/json;q=0.5,".repeat(5_000)}text/html;q=0.4`,
  ];
  for (const input of inputs) {
    const start = performance.now();
    prefersJson(input);
    assert.ok(performance.now() - start < 100, `slow on ${input.slice(0, 20)}...`);
  }
});
