import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ContentTooLarge } from "../../src/errors.ts";
import { MultiDict, parseUrlEncoded } from "../../src/internal/multidict.ts";

describe("MultiDict", () => {
  test("keeps every value, get gives the first or null", () => {
    const d = parseUrlEncoded("tag=a&tag=b&q=phial+web&empty=&flag", 100, "query");
    assert.equal(d.get("q"), "phial web");
    assert.deepEqual(d.getAll("tag"), ["a", "b"]);
    assert.equal(d.get("empty"), "");
    assert.equal(d.get("flag"), "");
    assert.equal(d.get("missing"), null);
    assert.deepEqual(d.getAll("missing"), []);
    assert.equal(d.has("tag"), true);
    assert.equal(d.size, 4);
    assert.deepEqual([...d.keys()], ["tag", "q", "empty", "flag"]);
    assert.deepEqual(
      [...d],
      [
        ["tag", "a"],
        ["tag", "b"],
        ["q", "phial web"],
        ["empty", ""],
        ["flag", ""],
      ],
    );
  });

  test("getAll returns a copy", () => {
    const d = new MultiDict([["a", "1"]]);
    d.getAll("a").push("2");
    assert.deepEqual(d.getAll("a"), ["1"]);
  });

  test("prototype keys are plain data", () => {
    const d = parseUrlEncoded("__proto__=x&constructor=y&prototype=z", 100, "query");
    assert.equal(d.get("__proto__"), "x");
    const obj = d.toObject();
    assert.equal(Object.getPrototypeOf(obj), null);
    assert.deepEqual(Object.entries(obj)[0], ["__proto__", "x"]);
    assert.equal(({} as Record<string, unknown>).x, undefined);
    assert.deepEqual(d.toObject({ all: true }).constructor, ["y"]);
  });

  test("malformed escapes stay literal, valid ones decode", () => {
    const d = parseUrlEncoded("a=%ZZ&b=%E2%9C%93&c=%", 100, "query");
    assert.equal(d.get("a"), "%ZZ");
    assert.equal(d.get("b"), "✓");
    assert.equal(d.get("c"), "%");
  });

  test("too many pairs: 400 for a query, 413 for a form, before decoding", () => {
    const many = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join("&");
    assert.throws(() => parseUrlEncoded(many, 10, "query"), { status: 400 });
    assert.throws(() => parseUrlEncoded(many, 10, "form"), ContentTooLarge);
    assert.equal(parseUrlEncoded(many, 11, "form").size, 11);
    assert.equal(parseUrlEncoded("", 0, "query").size, 0);
  });
});
