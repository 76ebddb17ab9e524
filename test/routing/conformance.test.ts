/**
 * Route-table conformance: one route set, one list of requests with the answer each must get,
 * run three ways — on the RouteTable itself, through an app on its fast path (no hooks), and
 * through the same app with hooks (the full lifecycle). The two app runs must agree byte for byte,
 * so a faster path can never change an answer.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Phial } from "../../src/index.ts";
import { defaultConverters } from "../../src/routing/converters.ts";
import { compilePattern } from "../../src/routing/pattern.ts";
import { RouteTable } from "../../src/routing/table.ts";
import type { TestResponse } from "../../src/testing.ts";

/** [pattern, methods, endpoint] */
const ROUTES: readonly (readonly [string, readonly string[], string])[] = [
  ["/", ["GET"], "root"],
  ["/users/new", ["GET"], "users_new"],
  ["/users/<int:id>", ["GET"], "user_int"],
  ["/users/<name>", ["GET"], "user_name"],
  ["/users/<int:id>/posts/<int(min=1):page>", ["GET"], "user_posts"],
  ["/files/<path:p>", ["GET"], "files"],
  ["/files/<path:p>/edit", ["GET"], "files_edit"],
  ["/docs/*rest", ["GET"], "docs"],
  ["/shop{/:category}/items", ["GET"], "items"],
  ["/a/:name.:ext", ["GET"], "mixed"],
  ["/a/report.pdf", ["GET"], "report"],
  ["/dir/", ["GET"], "dir"],
  ["/noslash", ["GET"], "noslash"],
  ["/things/:id", ["GET"], "thing"],
  ["/things/:id", ["PUT", "DELETE"], "thing_change"],
  ["/café", ["GET"], "cafe"],
  ["/pick/<any(red,blue):color>", ["GET"], "pick"],
  ["/num/<float:x>", ["GET"], "float"],
  ["/u/<uuid:u>", ["GET"], "uuid"],
  ["/form", ["POST"], "form"],
];

type Expect =
  | { found: string; params?: Record<string, unknown> }
  | { redirect: string }
  | { options: string }
  | { notAllowed: string }
  | { status: 404 | 400 };

/** [why, method, path, expected] */
const CASES: readonly (readonly [string, string, string, Expect])[] = [
  // Priority: static > converter > plain > path/wildcard, whatever the registration order.
  ["root", "GET", "/", { found: "root" }],
  ["static beats params", "GET", "/users/new", { found: "users_new" }],
  ["int converter beats plain", "GET", "/users/42", { found: "user_int", params: { id: 42 } }],
  ["plain when int refuses", "GET", "/users/ada", { found: "user_name", params: { name: "ada" } }],
  ["int refuses signs", "GET", "/users/-1", { found: "user_name", params: { name: "-1" } }],
  ["static beats mixed", "GET", "/a/report.pdf", { found: "report" }],
  [
    "mixed segment",
    "GET",
    "/a/notes.txt",
    { found: "mixed", params: { name: "notes", ext: "txt" } },
  ],
  // Converters and their options.
  [
    "converter options",
    "GET",
    "/users/7/posts/2",
    { found: "user_posts", params: { id: 7, page: 2 } },
  ],
  ["min=1 refuses 0", "GET", "/users/7/posts/0", { status: 404 }],
  ["any() accepts a listed value", "GET", "/pick/red", { found: "pick", params: { color: "red" } }],
  ["any() refuses others", "GET", "/pick/green", { status: 404 }],
  ["float", "GET", "/num/2.5", { found: "float", params: { x: 2.5 } }],
  ["float needs a dot", "GET", "/num/2", { status: 404 }],
  [
    "uuid",
    "GET",
    "/u/8a1b3c4d-0000-4000-8000-123456789abc",
    { found: "uuid", params: { u: "8a1b3c4d-0000-4000-8000-123456789abc" } },
  ],
  // Paths and wildcards.
  ["path spans slashes", "GET", "/files/a/b/c.txt", { found: "files", params: { p: "a/b/c.txt" } }],
  [
    "path stops before a suffix",
    "GET",
    "/files/a/b/edit",
    { found: "files_edit", params: { p: "a/b" } },
  ],
  [
    "wildcard gives segments",
    "GET",
    "/docs/guide/intro",
    { found: "docs", params: { rest: ["guide", "intro"] } },
  ],
  ["wildcard needs a segment", "GET", "/docs/", { status: 404 }],
  // Optional groups.
  [
    "optional group present",
    "GET",
    "/shop/toys/items",
    { found: "items", params: { category: "toys" } },
  ],
  ["optional group absent", "GET", "/shop/items", { found: "items", params: {} }],
  // Trailing slashes.
  ["slash rule redirects", "GET", "/dir", { redirect: "/dir/" }],
  ["query kept on redirect", "GET", "/dir?x=1", { redirect: "/dir/?x=1" }],
  ["slash rule hit", "GET", "/dir/", { found: "dir" }],
  ["no slash rule: slash URL misses", "GET", "/noslash/", { status: 404 }],
  // Methods: HEAD from GET, OPTIONS and 405 with the union of methods.
  ["HEAD falls back to GET", "HEAD", "/things/1", { found: "thing", params: { id: "1" } }],
  [
    "second registration's methods",
    "PUT",
    "/things/1",
    { found: "thing_change", params: { id: "1" } },
  ],
  [
    "OPTIONS lists every method",
    "OPTIONS",
    "/things/1",
    { options: "DELETE, GET, HEAD, OPTIONS, PUT" },
  ],
  [
    "405 lists every method",
    "POST",
    "/things/1",
    { notAllowed: "DELETE, GET, HEAD, OPTIONS, PUT" },
  ],
  ["405 on a static route", "GET", "/form", { notAllowed: "OPTIONS, POST" }],
  // Encoded characters.
  ["encoded static path", "GET", "/caf%C3%A9", { found: "cafe" }],
  [
    "%2F stays inside its segment",
    "GET",
    "/users/a%2Fb",
    { found: "user_name", params: { name: "a/b" } },
  ],
  [
    "encoded param decoded once",
    "GET",
    "/users/%2541",
    { found: "user_name", params: { name: "%41" } },
  ],
  ["malformed escape is 400", "GET", "/users/%E0%A4%A", { status: 400 }],
  // Misses.
  ["unknown path", "GET", "/nope", { status: 404 }],
  ["too deep", "GET", "/users/1/2", { status: 404 }],
  ["case-sensitive", "GET", "/USERS/new", { status: 404 }],
  ["empty segment", "GET", "/users//", { status: 404 }],
];

function table(): RouteTable<string> {
  const t = new RouteTable<string>();
  const converters = defaultConverters();
  for (const [pattern, methods, endpoint] of ROUTES) {
    t.add(compilePattern(pattern, converters), methods, endpoint);
  }
  t.freeze();
  return t;
}

function app(withHooks: boolean): Phial {
  const a = new Phial();
  for (const [pattern, methods, endpoint] of ROUTES) {
    a.route(pattern, { methods: [...methods], endpoint }, (req) => ({
      endpoint: req.endpoint,
      params: req.params,
    }));
  }
  if (withHooks) {
    a.beforeRequest(() => undefined);
    a.afterRequest((response) => response);
  }
  return a;
}

describe("route table conformance", () => {
  const t = table();
  for (const [why, method, target, expected] of CASES) {
    test(`${why}: ${method} ${target}`, () => {
      const path = target.split("?")[0] ?? target;
      const m = t.match(method, path);
      if ("found" in expected) {
        assert.equal(m.type, "found", JSON.stringify(m));
        if (m.type !== "found") return;
        assert.equal(m.value, expected.found);
        assert.deepEqual({ ...m.params }, expected.params ?? {});
      } else if ("redirect" in expected) {
        assert.deepEqual(m, { type: "redirect", path: `${path}/` });
      } else if ("options" in expected) {
        assert.equal(m.type, "options");
        if (m.type === "options") assert.equal(m.allow.join(", "), expected.options);
      } else if ("notAllowed" in expected) {
        assert.equal(m.type, "method_not_allowed");
        if (m.type === "method_not_allowed") assert.equal(m.allow.join(", "), expected.notAllowed);
      } else {
        assert.equal(m.type, expected.status === 404 ? "not_found" : "bad_path");
      }
    });
  }
});

function snapshot(res: TestResponse): unknown {
  const headers = [...res.headers].filter(([name]) => name !== "date");
  return { status: res.status, headers, body: res.text() };
}

describe("the same requests through an app, fast path and full lifecycle alike", () => {
  const fast = app(false).testClient();
  const full = app(true).testClient();
  for (const [why, method, target, expected] of CASES) {
    test(`${why}: ${method} ${target}`, async () => {
      const res = await fast.open(method, target);
      if ("found" in expected) {
        assert.equal(res.status, 200);
        if (method !== "HEAD") {
          const params = JSON.parse(JSON.stringify(expected.params ?? {}));
          assert.deepEqual(res.json(), { endpoint: expected.found, params });
        }
      } else if ("redirect" in expected) {
        assert.equal(res.status, 308);
        assert.equal(res.headers.get("location"), expected.redirect);
      } else if ("options" in expected) {
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("allow"), expected.options);
      } else if ("notAllowed" in expected) {
        assert.equal(res.status, 405);
        assert.equal(res.headers.get("allow"), expected.notAllowed);
      } else {
        assert.equal(res.status, expected.status);
      }
      assert.deepEqual(snapshot(res), snapshot(await full.open(method, target)));
    });
  }
});
