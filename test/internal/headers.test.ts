import assert from "node:assert/strict";
import { test } from "node:test";
import { ResponseHeaders } from "../../src/internal/headers.ts";

test("names are case-insensitive and keep the casing first written", () => {
  const h = new ResponseHeaders();
  h.set("X-Request-Id", "1");
  assert.equal(h.get("x-request-id"), "1");
  assert.equal(h.has("X-REQUEST-ID"), true);
  h.set("x-request-id", "2");
  assert.deepEqual([...h], [["X-Request-Id", "2"]]);
  assert.equal(h.get("missing"), null);
  assert.deepEqual(h.getAll("missing"), []);
});

test("append keeps values; get joins them except for set-cookie", () => {
  const h = new ResponseHeaders();
  h.append("Vary", "Accept").append("vary", "Cookie");
  assert.equal(h.get("Vary"), "Accept, Cookie");
  assert.deepEqual(h.getAll("VARY"), ["Accept", "Cookie"]);
  h.append("Set-Cookie", "a=1").append("Set-Cookie", "b=2, c");
  assert.equal(h.get("set-cookie"), "a=1");
  assert.deepEqual(h.getAll("set-cookie"), ["a=1", "b=2, c"]);
  assert.deepEqual(
    [...h.entries()],
    [
      ["Vary", "Accept, Cookie"],
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2, c"],
    ],
  );
});

test("delete and numbers", () => {
  const h = new ResponseHeaders({ "Content-Length": 5 });
  assert.equal(h.get("content-length"), "5");
  assert.equal(h.delete("CONTENT-LENGTH"), true);
  assert.equal(h.delete("content-length"), false);
  assert.equal(h.has("content-length"), false);
});

test("CR/LF and invalid names throw a TypeError where they are set", () => {
  const h = new ResponseHeaders();
  assert.throws(() => h.set("X-A", "a\r\nSet-Cookie: x=1"), TypeError);
  assert.throws(() => h.append("X-A", "a\nb"), TypeError);
  assert.throws(() => h.set("X-A", "nul\u0000"), TypeError);
  assert.throws(() => h.set("Bad Name", "v"), TypeError);
  assert.throws(() => h.set("", "v"), TypeError);
  assert.throws(() => h.set("X:Y", "v"), TypeError);
  assert.throws(() => new ResponseHeaders({ "X-A": "a\rb" }), TypeError);
  assert.equal(h.has("X-A"), false, "a rejected value leaves nothing behind");
});

test("init from record (arrays), pairs, ResponseHeaders and web Headers", () => {
  const fromRecord = new ResponseHeaders({ Vary: ["Accept", "Cookie"], "X-A": "1" });
  assert.deepEqual(fromRecord.getAll("vary"), ["Accept", "Cookie"]);
  const fromPairs = new ResponseHeaders([
    ["Set-Cookie", "a=1"],
    ["Set-Cookie", "b=2"],
  ]);
  assert.deepEqual(fromPairs.getAll("set-cookie"), ["a=1", "b=2"]);
  const copy = new ResponseHeaders(fromPairs);
  assert.deepEqual(copy.getAll("set-cookie"), ["a=1", "b=2"]);
  const web = new Headers({ "Content-Type": "text/plain" });
  web.append("Set-Cookie", "a=1");
  web.append("Set-Cookie", "b=2");
  const fromWeb = new ResponseHeaders(web);
  assert.equal(fromWeb.get("content-type"), "text/plain");
  assert.deepEqual(fromWeb.getAll("set-cookie"), ["a=1", "b=2"]);
  assert.throws(
    () => new ResponseHeaders([["only-name"]] as unknown as [string, string][]),
    TypeError,
  );
  assert.throws(
    () => new ResponseHeaders({ "X-A": {} } as unknown as Record<string, string>),
    TypeError,
  );
});

test("extend replaces same-named headers but keeps repeats within the batch", () => {
  const h = new ResponseHeaders({ "Content-Type": "text/html", "Set-Cookie": "old=1" });
  h.extend([
    ["content-type", "text/plain"],
    ["Set-Cookie", "a=1"],
    ["Set-Cookie", "b=2"],
  ]);
  assert.equal(h.get("Content-Type"), "text/plain");
  assert.deepEqual(h.getAll("set-cookie"), ["a=1", "b=2"]);
  h.extend({ "Set-Cookie": "c=3" }, false);
  assert.deepEqual(h.getAll("set-cookie"), ["a=1", "b=2", "c=3"]);
});

test("a header named __proto__ is plain data", () => {
  const h = new ResponseHeaders();
  h.set("__proto__", "x");
  h.set("constructor", "y");
  assert.equal(h.get("__proto__"), "x");
  assert.equal(h.get("constructor"), "y");
  assert.equal(h.get("toString"), null);
  assert.equal(({} as Record<string, unknown>).x, undefined);
});
