import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  decideFileAnswer,
  etagHeader,
  fileEtag,
  httpDate,
  parseRange,
  type Validators,
} from "../../src/internal/file-conditional.ts";

const ETAG = fileEtag(100, 1_700_000_000_123);
const LAST = httpDate(1_700_000_000_123);
const V: Validators = { etag: ETAG, lastModified: LAST };

describe("validators", () => {
  test("the ETag is strong, from size and mtime", () => {
    assert.equal(ETAG, '"64-18bcfe5687b"');
    assert.notEqual(fileEtag(101, 1_700_000_000_123), ETAG);
    assert.notEqual(fileEtag(100, 1_700_000_001_123), ETAG);
  });

  test("httpDate truncates to the second", () => {
    assert.equal(httpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert.equal(LAST, "Tue, 14 Nov 2023 22:13:20 GMT");
  });

  test("etagHeader quotes bare tags, keeps entity-tags, refuses the rest", () => {
    assert.equal(etagHeader("v1"), '"v1"');
    assert.equal(etagHeader('"v1"'), '"v1"');
    assert.equal(etagHeader('W/"v1"'), 'W/"v1"');
    for (const bad of ['a"b', "a b", "é", "a\r\nX: y", '"a"b"']) {
      assert.throws(() => etagHeader(bad), TypeError, bad);
    }
  });
});

describe("parseRange", () => {
  const cases: [string, number, ReturnType<typeof parseRange>][] = [
    ["bytes=0-9", 100, { kind: "partial", start: 0, end: 9 }],
    ["bytes=90-", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=90-1000", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=-10", 100, { kind: "partial", start: 90, end: 99 }],
    ["bytes=-1000", 100, { kind: "partial", start: 0, end: 99 }],
    ["Bytes = 5-5", 100, { kind: "partial", start: 5, end: 5 }],
    ["bytes=5-5,", 100, { kind: "partial", start: 5, end: 5 }],
    ["bytes=100-", 100, { kind: "unsatisfiable" }],
    ["bytes=100-200", 100, { kind: "unsatisfiable" }],
    ["bytes=-0", 100, { kind: "unsatisfiable" }],
    ["bytes=0-", 0, { kind: "unsatisfiable" }],
    ["bytes=-5", 0, { kind: "unsatisfiable" }],
    ["bytes=99999999999999999999999-", 100, { kind: "unsatisfiable" }],
    // Several ranges, other units and malformed specs: the whole file.
    ["bytes=0-1,5-6", 100, { kind: "full" }],
    ["bytes=0-1, 200-300", 100, { kind: "full" }],
    ["items=0-1", 100, { kind: "full" }],
    ["bytes 0-1", 100, { kind: "full" }],
    ["bytes=9-5", 100, { kind: "full" }],
    ["bytes=a-5", 100, { kind: "full" }],
    ["bytes=-", 100, { kind: "full" }],
    ["bytes=5", 100, { kind: "full" }],
    ["bytes=+1-2", 100, { kind: "full" }],
    ["bytes= 1 - 2", 100, { kind: "full" }],
    ["bytes=", 100, { kind: "full" }],
  ];
  for (const [header, size, expected] of cases) {
    test(`${JSON.stringify(header)} of ${size} bytes`, () => {
      assert.deepEqual(parseRange(header, size), expected);
    });
  }

  test("thousands of ranges cost no more than two", () => {
    const header = `bytes=${Array.from({ length: 5000 }, (_, i) => `${i}-${i}`).join(",")}`;
    const start = performance.now();
    assert.deepEqual(parseRange(header, 100_000), { kind: "full" });
    assert.ok(performance.now() - start < 50);
  });
});

describe("decideFileAnswer", () => {
  const decide = (headers: Record<string, string>, method = "GET", v = V) =>
    decideFileAnswer(method, headers, v, 100).kind;

  test("If-None-Match: weak comparison, lists and *", () => {
    assert.equal(decide({ "if-none-match": ETAG }), "not_modified");
    assert.equal(decide({ "if-none-match": `W/${ETAG}` }), "not_modified");
    assert.equal(decide({ "if-none-match": `"x", ${ETAG}` }), "not_modified");
    assert.equal(decide({ "if-none-match": '"a,b", "c"' }), "full");
    assert.equal(decide({ "if-none-match": "*" }), "not_modified");
    assert.equal(decide({ "if-none-match": '"other"' }), "full");
    assert.equal(decide({ "if-none-match": "garbage" }), "full");
    assert.equal(decide({ "if-none-match": ETAG }, "HEAD"), "not_modified");
    assert.equal(decide({ "if-none-match": ETAG }, "POST"), "full");
    assert.equal(
      decide({ "if-none-match": ETAG }, "GET", { etag: null, lastModified: LAST }),
      "full",
    );
  });

  test("If-Modified-Since, ignored when If-None-Match is present", () => {
    assert.equal(decide({ "if-modified-since": LAST }), "not_modified");
    assert.equal(decide({ "if-modified-since": httpDate(1_800_000_000_000) }), "not_modified");
    assert.equal(decide({ "if-modified-since": httpDate(1_600_000_000_000) }), "full");
    assert.equal(decide({ "if-modified-since": "not a date" }), "full");
    // If-None-Match wins: a non-matching tag means 200 even though the date would give 304.
    assert.equal(decide({ "if-none-match": '"other"', "if-modified-since": LAST }), "full");
    assert.equal(
      decide({ "if-none-match": ETAG, "if-modified-since": httpDate(0) }),
      "not_modified",
    );
  });

  test("Range on GET only, gated by If-Range", () => {
    assert.equal(decide({ range: "bytes=0-9" }), "partial");
    assert.equal(decide({ range: "bytes=0-9" }, "HEAD"), "full");
    assert.equal(decide({ range: "bytes=500-" }), "unsatisfiable");
    assert.equal(decide({ range: "bytes=0-9", "if-range": ETAG }), "partial");
    assert.equal(decide({ range: "bytes=0-9", "if-range": '"old"' }), "full");
    assert.equal(decide({ range: "bytes=0-9", "if-range": `W/${ETAG}` }), "full");
    assert.equal(decide({ range: "bytes=0-9", "if-range": LAST }), "partial");
    assert.equal(decide({ range: "bytes=0-9", "if-range": httpDate(0) }), "full");
    assert.equal(decide({ range: "bytes=0-9", "if-range": "junk" }), "full");
    // A weak current ETag never satisfies If-Range.
    const weak: Validators = { etag: 'W/"a"', lastModified: LAST };
    assert.equal(decide({ range: "bytes=0-9", "if-range": 'W/"a"' }, "GET", weak), "full");
    // An unsatisfiable range under a stale If-Range is just the whole file.
    assert.equal(decide({ range: "bytes=500-", "if-range": '"old"' }), "full");
  });

  test("a 304 is decided before the range", () => {
    assert.equal(decide({ range: "bytes=0-9", "if-none-match": ETAG }), "not_modified");
  });
});
