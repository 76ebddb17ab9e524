/**
 * Security rule 8: `redirect()` percent-encodes its target, so CR/LF or anything else in it can
 * never split or add a header; its body never echoes the target unescaped; the router's own
 * strict-slash redirects never become protocol-relative; and `safeNext()` lets a `next`
 * parameter through only when it is a path on this site.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Phial, redirect, safeNext } from "../../src/index.ts";
import { clientKinds } from "../helpers/clients.ts";
import { silentLogger } from "../helpers/logger.ts";
import { assertOnlyTags, PAGE_TAGS } from "../helpers/markup.ts";
import { headerValues, rawExchange, rawGet } from "../helpers/raw-http.ts";
import { serveDuringFile } from "../helpers/serve.ts";

function makeApp(): Phial {
  const app = new Phial({ staticFolder: null, logger: silentLogger() });
  app.get("/go", (req) => redirect(req.query.get("to") ?? "/"));
  app.get("/login", (req) => redirect(safeNext(req.query.get("next"), "/home"), 303));
  app.get("/dir/<name>/", (req) => req.params.name);
  app.get("/<name>/", (req) => req.params.name);
  return app;
}

/** Targets a handler might pass to redirect() straight from the request. */
const HOSTILE_TARGETS: readonly string[] = [
  "/a\r\nSet-Cookie: evil=1",
  "/a\nLocation: //evil.example",
  "/a\rX-Injected: 1",
  "/a\r\n\r\n<script>alert(1)</script>",
  "/a\u0000b",
  "/ca fé?q=ü ñ#frag ment",
  "/日本語/パス",
  "/\u2028\u2029\u0085",
  '"><script>alert(1)</script>',
  "/'onmouseover='alert(1)'",
  "javascript:alert(document.cookie)",
  "/%0d%0aSet-Cookie:%20evil=1",
  `/${"\r\n".repeat(100)}`,
];

const EXPECTED_HEADERS = ["connection", "content-length", "content-type", "date", "location"];

const served = serveDuringFile(makeApp);

describe("redirect() over a raw socket", () => {
  test("CR, LF, NUL, spaces and non-ASCII in the target never split or add a header", async () => {
    for (const target of HOSTILE_TARGETS) {
      const answer = await rawExchange(served.port, rawGet(`/go?to=${encodeURIComponent(target)}`));
      const what = JSON.stringify(target);
      assert.equal(answer.status, 302, what);
      const names = answer.headers.map(([name]) => name.toLowerCase()).sort();
      assert.deepEqual(names, EXPECTED_HEADERS, `${what}: ${answer.text.slice(0, 300)}`);
      const [location = ""] = headerValues(answer, "location");
      assert.match(location, /^[\x21-\x7e]+$/, `${what}: Location ${location}`);
      assert.doesNotMatch(answer.text, /\r\n(?:set-cookie|x-injected):/i, what);
      assert.equal(answer.text.match(/\r\n\r\n/g)?.length, 1, `${what}: one head, one body`);
    }
  });

  test("existing escapes such as %0d%0a stay escaped in Location, never decoded into CR/LF", async () => {
    const answer = await rawExchange(
      served.port,
      rawGet(`/go?to=${encodeURIComponent("/%0d%0aSet-Cookie:%20evil=1")}`),
    );
    assert.deepEqual(headerValues(answer, "location"), ["/%0d%0aSet-Cookie:%20evil=1"]);
  });

  test("the body never echoes the target unescaped; only http(s) and relative targets are links", async () => {
    for (const target of HOSTILE_TARGETS) {
      const answer = await rawExchange(served.port, rawGet(`/go?to=${encodeURIComponent(target)}`));
      const what = JSON.stringify(target);
      assert.doesNotMatch(answer.body, /<script|"><|'on\w+=|\r|\n\n<\//i, what);
      assert.doesNotMatch(answer.body, /href="javascript/i, what);
      // Whatever the target held, the body's markup is the page's own.
      assertOnlyTags(answer.body, [...PAGE_TAGS, "<a>", "</a>"], what);
    }
  });

  test("the router's slash redirect for `/%2F%2Fevil.example` or `/\\evil.example` stays a path", async () => {
    for (const [target, expected] of [
      ["/%2F%2Fevil.example", "/%2F%2Fevil.example/"],
      ["/%5C%5Cevil.example", "/%5C%5Cevil.example/"],
      ["/\\evil.example", "/%5Cevil.example/"],
      ["/dir/%2F%2Fevil.example", "/dir/%2F%2Fevil.example/"],
      ["/dir/\\evil.example", "/dir/%5Cevil.example/"],
      ["/dir/x?to=//evil.example", "/dir/x/?to=//evil.example"],
    ] as const) {
      const answer = await rawExchange(served.port, rawGet(target));
      assert.equal(answer.status, 308, target);
      assert.deepEqual(headerValues(answer, "location"), [expected], target);
    }
  });

  test("a login `next` of `//evil.example`, `/\\evil.example` or `https:evil.example` redirects to the fallback", async () => {
    for (const [next, expected] of [
      ["/posts/7?edit=1", "/posts/7?edit=1"],
      ["//evil.example", "/home"],
      ["/\\evil.example", "/home"],
      ["https:evil.example", "/home"],
      ["/%2F/evil.example", "/home"],
      ["/\t/evil.example", "/home"],
    ] as const) {
      const answer = await rawExchange(
        served.port,
        rawGet(`/login?next=${encodeURIComponent(next)}`),
      );
      assert.equal(answer.status, 303);
      assert.deepEqual(headerValues(answer, "location"), [expected], JSON.stringify(next));
    }
  });
});

for (const kind of clientKinds) {
  describe(`redirects ${kind.name}`, () => {
    test("hostile redirect() targets give one clean Location; hostile `next` values give the fallback", async () => {
      const client = await kind.create(makeApp());
      try {
        for (const target of HOSTILE_TARGETS) {
          const res = await client.get(`/go?to=${encodeURIComponent(target)}`);
          assert.equal(res.status, 302);
          assert.match(res.headers.get("location") ?? "", /^[\x21-\x7e]+$/);
          assert.equal(res.headers.get("set-cookie"), null);
          assert.equal(res.headers.get("x-injected"), null);
        }
        for (const next of ["//evil.example", "/\\evil.example", "https:evil.example"]) {
          const res = await client.get(`/login?next=${encodeURIComponent(next)}`);
          assert.equal(res.headers.get("location"), "/home", next);
        }
        const ok = await client.get(`/login?next=${encodeURIComponent("/posts/7?edit=1")}`);
        assert.equal(ok.headers.get("location"), "/posts/7?edit=1");
      } finally {
        await client.close();
      }
    });
  });
}

describe("safeNext()", () => {
  const LOCAL: readonly string[] = [
    "/",
    "/a",
    "/a/b?c=d#e",
    "/caf%C3%A9",
    "/café",
    "/a b",
    "/@evil.example",
    "/a?next=//evil.example",
    "/a?next=\\evil.example",
    "/a#//evil.example",
    "/..",
    "/a/../b",
    "/%252F%252Fevil.example",
    "/a?q=100%",
  ];

  const ELSEWHERE: readonly unknown[] = [
    "",
    "evil.example",
    "./a",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https://evil.example",
    "https:evil.example",
    "http:/evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " /a",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/a\r\nSet-Cookie: x=1",
    "/a\u0000",
    "/a\u007f",
    "/a\\b",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "/.//evil.example",
    "/..//evil.example",
    "/a/..//evil.example",
    "/%2E//evil.example",
    "/.%2F/evil.example",
    "/%",
    "/%zz",
    "/%E0%A4%A",
    null,
    undefined,
    42,
    ["/a"],
    { toString: () => "/a" },
  ];

  test("same-site paths come back unchanged: `/a/b?c=d#e`, `/café`, `/a?next=//evil.example`", () => {
    for (const target of LOCAL) assert.equal(safeNext(target), target, JSON.stringify(target));
  });

  test("`//evil`, `/\\evil`, `https:evil`, `javascript:`, control characters and their %-encodings give the fallback", () => {
    for (const target of ELSEWHERE) {
      assert.equal(safeNext(target), "/", JSON.stringify(target));
      assert.equal(safeNext(target, "/home"), "/home", JSON.stringify(target));
    }
  });

  test("whatever the input, the answer is the input or the fallback, and a browser keeps it on the site", () => {
    const site = "https://site.example";
    const risky = fc.constantFrom(
      ..."/\\:.%2F5C09Aa@?#\t\n ehtps".split(""),
      "%2F",
      "%5C",
      "//",
      "\\\\",
    );
    fc.assert(
      fc.property(
        fc.array(risky, { maxLength: 12 }).map((parts) => parts.join("")),
        (target) => {
          const result = safeNext(target, "/fallback");
          if (result === "/fallback") return;
          assert.equal(result, target);
          // WHATWG URL parsing is what browsers do with a Location: tabs and newlines dropped,
          // backslashes read as slashes. Decoding once more must not leave the site either.
          assert.equal(new URL(result, `${site}/page`).origin, site, JSON.stringify(result));
          const once = decodeURIComponent(result.split(/[?#]/)[0] ?? "");
          assert.equal(new URL(once, `${site}/page`).origin, site, JSON.stringify(once));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
