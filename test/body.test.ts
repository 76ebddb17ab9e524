import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeText, isJsonType, parseJson, parseMediaType } from "../src/body.ts";

describe("parseMediaType", () => {
  test("lower-cases the essence and reads the charset and boundary", () => {
    const m = parseMediaType("Application/JSON; Charset=UTF-8");
    assert.deepEqual(m, { essence: "application/json", charset: "utf-8", boundary: null });
    // The boundary keeps its case: multipart parsing matches it byte for byte.
    assert.deepEqual(parseMediaType('multipart/form-data; Boundary="AbC 1"'), {
      essence: "multipart/form-data",
      charset: null,
      boundary: "AbC 1",
    });
    assert.equal(parseMediaType(undefined), null);
    assert.equal(parseMediaType(""), null);
  });

  test("malformed is 415", () => {
    assert.throws(() => parseMediaType("not a type"), { status: 415 });
    assert.throws(() => parseMediaType("/json"), { status: 415 });
  });

  test("json and +json types", () => {
    assert.equal(isJsonType(parseMediaType("application/json")), true);
    assert.equal(isJsonType(parseMediaType("application/problem+json")), true);
    assert.equal(isJsonType(parseMediaType("text/plain")), false);
    assert.equal(isJsonType(null), false);
  });
});

describe("decodeText", () => {
  test("UTF-8 by default, declared charsets honoured", () => {
    assert.equal(decodeText(Buffer.from("héllo"), null), "héllo");
    assert.equal(decodeText(Buffer.from([0xe9]), "latin1"), "é");
  });
  test("invalid bytes are 400, unknown charsets 415", () => {
    assert.throws(() => decodeText(Buffer.from([0xff, 0xfe, 0xc3]), "utf-8"), { status: 400 });
    assert.throws(() => decodeText(Buffer.from("x"), "klingon"), { status: 415 });
  });
});

describe("parseJson", () => {
  test("parses values", () => {
    assert.deepEqual(parseJson('{"a":[1,{"b":null}]}'), { a: [1, { b: null }] });
    assert.equal(parseJson("3"), 3);
  });
  test("empty and bad JSON are 400", () => {
    assert.throws(() => parseJson(""), { status: 400, message: /empty/ });
    assert.throws(() => parseJson("  \n"), { status: 400 });
    assert.throws(() => parseJson("{nope"), { status: 400, message: /not valid JSON/ });
  });
  test("prototype-polluting keys are refused, escaped spellings too", () => {
    for (const text of [
      '{"__proto__":{"polluted":1}}',
      '{"a":[{"__proto__":{"polluted":1}}]}',
      '{"\\u005f_proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
    ]) {
      assert.throws(() => parseJson(text), { status: 400 }, text);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
  test("harmless lookalikes pass", () => {
    assert.deepEqual(parseJson('{"constructor":"Foo","proto":1,"s":"\\u00e9"}'), {
      constructor: "Foo",
      proto: 1,
      s: "é",
    });
  });
});
