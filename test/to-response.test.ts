import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { Phial } from "../src/index.ts";
import { Response, ResponseHeaders } from "../src/response.ts";
import { jsonify, makeResponse, redirect, toResponse } from "../src/to-response.ts";
import { silentLogger } from "./helpers/logger.ts";

const HTML = "text/html; charset=utf-8";
const JSON_TYPE = "application/json";

test("a phial Response is returned as is", () => {
  const r = new Response("x", { status: 418 });
  assert.equal(toResponse(r, "e"), r);
  assert.equal(toResponse(r, "e", 500).status, 418, "its own status beats defaultStatus");
});

test("string -> text/html; bytes -> octet-stream", () => {
  const s = toResponse("<p>hi</p>", "e");
  assert.equal(s.status, 200);
  assert.equal(s.contentType, HTML);
  assert.equal(s.body, "<p>hi</p>");
  const b = toResponse(Buffer.from("x"), "e");
  assert.equal(b.contentType, "application/octet-stream");
  assert.equal(toResponse(new Uint8Array(2), "e").contentType, "application/octet-stream");
});

test("plain objects, null-prototype objects, arrays and toJSON objects -> JSON", () => {
  const o = toResponse({ id: 1, tags: ["a"] }, "e");
  assert.equal(o.contentType, JSON_TYPE);
  assert.equal(o.body, '{"id":1,"tags":["a"]}');
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
  assert.equal(toResponse(bare, "e").body, '{"a":1}');
  assert.equal(toResponse([1, 2, 3], "e").body, "[1,2,3]");
  assert.equal(toResponse([], "e").body, "[]");
  class Money {
    toJSON(): string {
      return "12.50 EUR";
    }
  }
  assert.equal(toResponse(new Money(), "e").body, '"12.50 EUR"');
  assert.equal(toResponse(new Date(0), "e").body, '"1970-01-01T00:00:00.000Z"');
});

test("streams and iterables are streamed with Flask's default types", () => {
  const readable = Readable.from(["x"]);
  const r = toResponse(readable, "e");
  assert.equal(r.body, readable);
  assert.equal(r.contentType, "application/octet-stream");
  assert.equal(toResponse(new ReadableStream(), "e").contentType, "application/octet-stream");
  const gen = (function* () {
    yield "a";
  })();
  assert.equal(toResponse(gen, "e").body, gen);
  assert.equal(toResponse(gen, "e").contentType, HTML);
  const agen = (async function* () {
    yield "a";
  })();
  assert.equal(toResponse(agen, "e").contentType, HTML);
  const custom = { [Symbol.asyncIterator]: () => agen };
  assert.equal(toResponse(custom, "e").body, custom, "any async iterable");
});

test("a web Response keeps its status, headers (every Set-Cookie) and body", async () => {
  const web = new globalThis.Response("made by fetch", {
    status: 202,
    headers: [
      ["Content-Type", "text/plain"],
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
      ["X-A", "1"],
    ],
  });
  const r = toResponse(web, "e");
  assert.ok(r instanceof Response);
  assert.equal(r.status, 202);
  assert.equal(r.contentType, "text/plain");
  assert.deepEqual(r.headers.getAll("set-cookie"), ["a=1", "b=2"]);
  assert.equal(r.headers.get("x-a"), "1");
  assert.ok(r.body instanceof ReadableStream);
  const text = await new globalThis.Response(r.body as ReadableStream<Uint8Array>).text();
  assert.equal(text, "made by fetch");
  const empty = toResponse(new globalThis.Response(null, { status: 204 }), "e");
  assert.equal(empty.body, null);
  assert.equal(empty.status, 204);
  assert.throws(() => toResponse(globalThis.Response.error(), "e"), RangeError);
});

test("tuples: [body, status], [body, headers], [body, status, headers]", () => {
  const a = toResponse(["Created", 201], "e");
  assert.equal(a.status, 201);
  assert.equal(a.body, "Created");
  assert.equal(a.contentType, HTML);

  const b = toResponse(["hi", { "X-A": "1" }], "e");
  assert.equal(b.status, 200);
  assert.equal(b.headers.get("x-a"), "1");

  const c = toResponse([{ ok: true }, 202, { "X-B": "2" }], "e");
  assert.equal(c.status, 202);
  assert.equal(c.body, '{"ok":true}');
  assert.equal(c.headers.get("X-B"), "2");

  const pairs = toResponse(
    [
      "x",
      200,
      [
        ["Set-Cookie", "a=1"],
        ["Set-Cookie", "b=2"],
      ],
    ],
    "e",
  );
  assert.deepEqual(pairs.headers.getAll("set-cookie"), ["a=1", "b=2"]);

  const web = new Headers({ "X-W": "w" });
  web.append("Set-Cookie", "c=3");
  web.append("Set-Cookie", "d=4");
  const viaWeb = toResponse(["x", web], "e");
  assert.equal(viaWeb.headers.get("x-w"), "w");
  assert.deepEqual(viaWeb.headers.getAll("set-cookie"), ["c=3", "d=4"]);
  assert.equal(toResponse(["x", 201, web], "e").status, 201);

  const rh = new ResponseHeaders({ "X-R": "r" });
  assert.equal(toResponse([{ a: 1 }, rh], "e").headers.get("x-r"), "r", "instances are headers");
});

test("tuple headers replace same-named ones; tuple status overrides the body's", () => {
  const inner = new Response("x", {
    status: 201,
    headers: { "Content-Type": "text/plain", "X-Keep": "k" },
  });
  const r = toResponse([inner, 202, { "content-type": "text/csv; charset=utf-8" }], "e");
  assert.equal(r, inner, "a Response body is modified, like Flask");
  assert.equal(r.status, 202);
  assert.equal(r.headers.get("Content-Type"), "text/csv; charset=utf-8");
  assert.equal(r.headers.get("X-Keep"), "k");
  const web = toResponse([new globalThis.Response("w", { status: 201 }), 203], "e");
  assert.equal(web.status, 203);
  const json = toResponse([[1, 2], 201], "e");
  assert.equal(json.body, "[1,2]", "an array body of a tuple is JSON, not another tuple");
});

test("defaultStatus applies only when the value names no status", () => {
  assert.equal(toResponse("oops", "e", 404).status, 404);
  assert.equal(toResponse({ error: "x" }, "e", 404).status, 404);
  assert.equal(toResponse(["x", { "X-A": "1" }], "e", 404).status, 404);
  assert.equal(toResponse(["x", 409], "e", 404).status, 409);
});

test("ambiguity: arrays that are JSON, not tuples", () => {
  const cases: unknown[][] = [
    [{ a: 1 }, { b: 2 }], // two plain objects: a JSON list of records
    [[1], { b: 2 }], // first is an array
    ["a", "b"],
    ["a", 99], // not a status
    ["a", 600],
    ["a", 200.5],
    ["x", 200, "y", "z"], // four elements
    ["x"],
    ["x", [["X-A", "1"]]], // pairs only count in 3-tuples
    ["x", "200"], // a string is not a status
  ];
  for (const value of cases) {
    const r = toResponse(value, "e");
    assert.equal(r.contentType, JSON_TYPE, JSON.stringify(value));
    assert.equal(r.body, JSON.stringify(value));
    assert.equal(r.status, 200);
  }
});

test("ambiguity: a status in 2nd place always makes a tuple", () => {
  assert.throws(() => toResponse([5, 200], "nums"), /tuple whose body is the number 5/);
  assert.throws(() => toResponse([null, 204], "e"), /tuple whose body is null/);
  assert.throws(
    () => toResponse(["x", 200, "no headers"], "hdrs"),
    /"hdrs" gave a tuple whose headers are a string/,
  );
  assert.throws(() => toResponse(["x", 200, 5], "e"), TypeError);
  assert.equal(jsonify([5, 200]).body, "[5,200]", "jsonify is the way to send such a list");
});

test("invalid values throw a TypeError naming the endpoint and saying what to return", () => {
  const check = (value: unknown, fragment: RegExp): void => {
    assert.throws(
      () => toResponse(value, "index"),
      (err: unknown) => {
        assert.ok(err instanceof TypeError);
        assert.match(
          err.message,
          /^The view function for "index" did not return a valid response: it returned /,
        );
        assert.match(err.message, fragment);
        assert.match(
          err.message,
          /Return a string, an object or array .*Response.*\[body, status\]/,
        );
        return true;
      },
    );
  };
  check(undefined, /returned undefined \(is a `return` missing\?\)/);
  check(null, /returned null\./);
  check(42, /the number 42/);
  check(10n, /the number 10/);
  check(true, /the boolean true/);
  check(function home() {}, /a function \(home\) \(did you mean to call it\?\)/);
  check(Symbol("s"), /a symbol/);
  check(new Map(), /an instance of Map/);
  check(new Set([1]), /an instance of Set/);
  check(new (class Widget {})(), /an instance of Widget/);
  check(Promise.resolve("x"), /an instance of Promise \(is an `await` missing\?\)/);
});

test("makeResponse: none, one, or several arguments", () => {
  const empty = makeResponse();
  assert.equal(empty.status, 200);
  assert.equal(empty.body, "");
  assert.equal(makeResponse({ a: 1 }).body, '{"a":1}');
  assert.equal(makeResponse(["x", 201]).status, 201);
  const r = makeResponse("x", 201, { "X-A": "1" });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get("x-a"), "1");
  const h = makeResponse({ a: 1 }, { "X-B": "2" });
  assert.equal(h.body, '{"a":1}', "explicit arguments are never ambiguous");
  assert.equal(h.headers.get("x-b"), "2");
  const existing = new Response("y");
  assert.equal(makeResponse(existing), existing);
  assert.throws(() => makeResponse(undefined), /^TypeError: makeResponse\(\) did not return/);
  assert.throws(() => makeResponse("x", 42), /invalid status 42/);
  assert.throws(() => (makeResponse as (...a: unknown[]) => unknown)("x", 200, {}, 1), TypeError);
});

test("jsonify sends any JSON value, primitives included", () => {
  assert.equal(jsonify(42).body, "42");
  assert.equal(jsonify(null).body, "null");
  assert.equal(jsonify(undefined).body, "null");
  assert.equal(jsonify("s").body, '"s"');
  const r = jsonify({ a: "<b>" }, 201);
  assert.equal(r.status, 201);
  assert.equal(r.contentType, JSON_TYPE);
  assert.throws(() => jsonify({ n: 1n }), TypeError, "BigInt is not JSON");
});

test("redirect: status, Location, escaped body", () => {
  const r = redirect("/login?next=%2Fhome");
  assert.equal(r.status, 302);
  assert.equal(r.headers.get("location"), "/login?next=%2Fhome", "existing escapes are kept");
  assert.equal(r.contentType, HTML);
  assert.match(String(r.body), /<a href="\/login\?next=%2Fhome">/);
  assert.equal(redirect("/x", 308).status, 308);
  for (const status of [200, 299, 400, 301.5, 3]) {
    assert.throws(() => redirect("/x", status), RangeError, String(status));
  }
});

test("redirect: CR/LF cannot split the header", () => {
  const r = redirect("/a\r\nSet-Cookie: x=1");
  const location = r.headers.get("location") ?? "";
  assert.equal(location, "/a%0D%0ASet-Cookie:%20x=1");
  assert.doesNotMatch(location, /[\r\n]/);
  assert.deepEqual(r.headers.getAll("set-cookie"), []);
  assert.equal(redirect("/\u0000x").headers.get("location"), "/%00x");
});

test("redirect: non-ASCII, spaces, stray % and lone surrogates are percent-encoded", () => {
  assert.equal(redirect("/café menu").headers.get("location"), "/caf%C3%A9%20menu");
  assert.equal(redirect("/ü/%zz/%4").headers.get("location"), "/%C3%BC/%25zz/%254");
  assert.equal(redirect("/a\\b").headers.get("location"), "/a%5Cb");
  assert.equal(redirect("/\ud800").headers.get("location"), "/%EF%BF%BD");
  const url = "https://example.com/path?q=1&r=[2]#frag";
  assert.equal(redirect(url).headers.get("location"), url, "a valid URL is left as it is");
});

test("redirect: the body never echoes the target unescaped", () => {
  const r = redirect('/"><script>alert(1)</script>');
  const body = String(r.body);
  assert.doesNotMatch(body, /<script>/);
  assert.doesNotMatch(body, /"></);
  assert.equal(r.headers.get("location"), "/%22%3E%3Cscript%3Ealert(1)%3C/script%3E");
  const quote = String(redirect("/it's&more").body);
  assert.match(quote, /href="\/it&#39;s&amp;more"/);
});

test("redirect: only http(s) and relative targets become links", () => {
  assert.doesNotMatch(String(redirect("javascript:alert(1)").body), /<a /);
  assert.doesNotMatch(String(redirect("data:text/html,x").body), /<a /);
  assert.match(String(redirect("HTTPS://example.com/").body), /<a href/);
  assert.match(String(redirect("/path:with-colon").body), /<a href/);
  assert.match(String(redirect("?page=2").body), /<a href/);
});

test("makeResponse called from JavaScript with a non-number status names the mistake", () => {
  const status = "201" as unknown as number;
  assert.throws(
    () => makeResponse("x", status, { "x-a": "1" }),
    /3-element tuple whose status is .*; use \[body, status, headers\]\./,
  );
});

test("an iterator body an error page replaces is closed with return(), even when that fails", async () => {
  const closed: string[] = [];
  const cursor = (name: string, fail: "throw" | "reject" | null) => ({
    [Symbol.iterator]() {
      return this;
    },
    next: () => ({ done: false, value: "row\n" }),
    return() {
      closed.push(name);
      if (fail === "throw") throw new Error(`${name} cannot close`);
      if (fail === "reject") return Promise.reject(new Error(`${name} cannot close`));
      return { done: true, value: undefined };
    },
  });
  let unhandled: unknown;
  const onUnhandled = (err: unknown): void => {
    unhandled = err;
  };
  process.on("unhandledRejection", onUnhandled);
  try {
    const app = new Phial({ staticFolder: null, logger: silentLogger() });
    // The second afterThisRequest function fails: the 500 page replaces the iterator's response.
    const order: string[] = [];
    app.get("/<name>/<fail>", (req) => {
      const fail = req.params.fail === "ok" ? null : (req.params.fail as "throw" | "reject");
      req.afterThisRequest((res) => {
        order.push(`first ${req.params.name}`);
        return res;
      });
      req.afterThisRequest(() => {
        throw new Error("hook failed");
      });
      return makeResponse(cursor(req.params.name, fail));
    });
    const client = app.testClient();
    for (const path of ["/a/ok", "/b/throw", "/c/reject"]) {
      const res = await client.get(path);
      assert.equal(res.status, 500, path);
      assert.doesNotMatch(await res.text(), /row/);
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(closed, ["a", "b", "c"]);
    // Both functions run in order; the first also sees the error page, as hooks see error pages.
    assert.deepEqual(order, ["first a", "first a", "first b", "first b", "first c", "first c"]);
    assert.equal(unhandled, undefined, "a rejected return() is not left unhandled");
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});
