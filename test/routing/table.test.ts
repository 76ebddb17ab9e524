/** Conformance of the route table with Flask/Werkzeug matching (DESIGN.md section 3). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RouteDefinitionError } from "../../src/errors.ts";
import { defaultConverters } from "../../src/routing/converters.ts";
import { compilePattern } from "../../src/routing/pattern.ts";
import { RouteTable } from "../../src/routing/table.ts";
import { found, permutations, tableOf } from "./helpers.ts";

describe("priority, whatever the registration order", () => {
  const routes = [
    "/users/new",
    "/users/v<int:n>",
    "/users/<int:id>",
    "/users/:name",
    "/users/*rest",
    "/users/<any(me, self):who>",
  ];
  const expectations: [string, string, Record<string, unknown>][] = [
    ["/users/new", "/users/new", {}],
    ["/users/v2", "/users/v<int:n>", { n: 2 }],
    ["/users/vx", "/users/:name", { name: "vx" }],
    ["/users/42", "/users/<int:id>", { id: 42 }],
    ["/users/me", "/users/<any(me, self):who>", { who: "me" }],
    ["/users/bob", "/users/:name", { name: "bob" }],
    ["/users/bob/x", "/users/*rest", { rest: ["bob", "x"] }],
  ];
  for (const order of permutations(routes).filter((_, k) => k % 37 === 0 || k === 719)) {
    it(`static > mixed > converter > plain > wildcard for ${order.map((r) => r.slice(7)).join(" ")}`, () => {
      const t = tableOf(order);
      for (const [path, value, params] of expectations) {
        assert.deepEqual(found(t, path), { type: "found", value, params }, path);
      }
    });
  }

  it("orders converters among themselves by name, not registration", () => {
    for (const order of permutations(["/c/<string(length=2):s>", "/c/<int:n>", "/c/<float:f>"])) {
      const t = tableOf(order);
      assert.equal(found(t, "/c/12").value, "/c/<int:n>");
      assert.equal(found(t, "/c/ab").value, "/c/<string(length=2):s>");
      assert.equal(found(t, "/c/1.5").value, "/c/<float:f>");
    }
  });

  it("prefers the mixed segment with more literal text", () => {
    for (const order of permutations(["/f/:name.:ext", "/f/:name.tar.:ext", "/f/:file"])) {
      const t = tableOf(order);
      assert.deepEqual(found(t, "/f/a.tar.gz").params, { name: "a", ext: "gz" });
      assert.deepEqual(found(t, "/f/a.gz").params, { name: "a", ext: "gz" });
      assert.deepEqual(found(t, "/f/readme").params, { file: "readme" });
    }
  });

  it("is case-sensitive", () => {
    const t = tableOf(["/About", "/x/:id"]);
    assert.equal(t.match("GET", "/about").type, "not_found");
    assert.equal(found(t, "/About").value, "/About");
    assert.deepEqual(found(t, "/x/AbC").params, { id: "AbC" });
  });
});

describe("backtracking", () => {
  it("tries the next candidate when a subtree fails", () => {
    const t = tableOf(["/a/b/c", "/a/:x/d", "/a/*rest/e"]);
    assert.equal(found(t, "/a/b/c").value, "/a/b/c");
    assert.deepEqual(found(t, "/a/b/d").params, { x: "b" });
    assert.deepEqual(found(t, "/a/b/x/e").params, { rest: ["b", "x"] });
    assert.equal(t.match("GET", "/a/b/f").type, "not_found");
  });

  it("tries the next candidate when a converter rejects the value", () => {
    for (const order of permutations(["/n/<int(max=10):small>", "/n/<int:big>", "/n/:other"])) {
      const t = tableOf(order);
      assert.deepEqual(found(t, "/n/5").params, { small: 5 });
      assert.deepEqual(found(t, "/n/50").params, { big: 50 });
      assert.deepEqual(found(t, "/n/-5").params, { other: "-5" });
    }
  });

  it("keeps looking for a route with the method before answering 405", () => {
    const t = tableOf([["/u/new", ["POST"]], "/u/:id"]);
    assert.deepEqual(found(t, "/u/new"), { type: "found", value: "/u/:id", params: { id: "new" } });
    assert.equal(found(t, "/u/new", "POST").value, "/u/new");
  });
});

describe("converters in routes", () => {
  const t = tableOf([
    "/i/<int:n>",
    "/s/<int(signed=True, min=-3, max=3):n>",
    "/fd/<int(fixed_digits=3):n>",
    "/f/<float:x>",
    "/u/<uuid:id>",
    "/p/<any(about, help, 'x y'):page>",
    "/c/<string(length=2):code>",
    "/r/<path:p>",
  ]);
  const cases: [string, Record<string, unknown> | null][] = [
    ["/i/12", { n: 12 }],
    ["/i/-1", null],
    ["/i/%D9%A1", null],
    ["/i/1.0", null],
    ["/s/-3", { n: -3 }],
    ["/s/4", null],
    ["/fd/007", { n: 7 }],
    ["/fd/7", null],
    ["/f/1.5", { x: 1.5 }],
    ["/f/1", null],
    ["/u/123e4567-e89b-12d3-a456-426614174000", { id: "123e4567-e89b-12d3-a456-426614174000" }],
    ["/u/123e4567", null],
    ["/p/help", { page: "help" }],
    ["/p/x%20y", { page: "x y" }],
    ["/p/other", null],
    ["/c/fr", { code: "fr" }],
    ["/c/fra", null],
    ["/r/a/b/c.txt", { p: "a/b/c.txt" }],
    ["/r/a%2Fb/c", { p: "a/b/c" }],
    ["/r/a//b", null],
  ];
  for (const [path, params] of cases) {
    it(`${path} -> ${params === null ? "not found" : JSON.stringify(params)}`, () => {
      if (params === null) assert.equal(t.match("GET", path).type, "not_found");
      else assert.deepEqual(found(t, path).params, params);
    });
  }

  it("uses user converters, ranked above plain params", () => {
    const registry = defaultConverters();
    registry.set("hex", {
      toValue: (part) => (/^[0-9a-f]+$/.test(part) ? Number.parseInt(part, 16) : undefined),
      toUrl: (value) => (value as number).toString(16),
    });
    registry.set("csv", (args) => ({
      toValue: (part: string) => part.split(String(args[0] ?? ",")),
      toUrl: (value: unknown) => (value as string[]).join(String(args[0] ?? ",")),
    }));
    const order = ["/h/:name", "/h/<hex:n>", "/l/<csv(';'):items>"];
    for (const routes of [order, [...order].reverse()]) {
      const u = tableOf(routes, registry);
      assert.deepEqual(found(u, "/h/ff").params, { n: 255 });
      assert.deepEqual(found(u, "/h/zz").params, { name: "zz" });
      assert.deepEqual(found(u, "/l/a;b").params, { items: ["a", "b"] });
    }
  });
});

describe("optional groups and wildcards", () => {
  it("matches each expansion of optional groups, leaving missing params absent", () => {
    const t = tableOf(["/a{/:b{/<int:c>}}/d", "/files{.:ext}"]);
    assert.deepEqual(found(t, "/a/d").params, {});
    assert.deepEqual(found(t, "/a/x/d").params, { b: "x" });
    assert.deepEqual(found(t, "/a/x/3/d").params, { b: "x", c: 3 });
    assert.equal(t.match("GET", "/a/x/y/d").type, "not_found");
    assert.deepEqual(found(t, "/files").params, {});
    assert.deepEqual(found(t, "/files.json").params, { ext: "json" });
    assert.equal("b" in found(t, "/a/d").params, false);
  });

  it("matches terminal and mid-path wildcards, trying split points", () => {
    const t = tableOf(["/x/*p", "/x/*p/edit", "/d/<path:p>/raw", "/two/*a/sep/*b", "/ext/*p.md"]);
    assert.deepEqual(found(t, "/x/a").params, { p: ["a"] });
    assert.deepEqual(found(t, "/x/a/b/c").params, { p: ["a", "b", "c"] });
    assert.deepEqual(found(t, "/x/a/b/edit").value, "/x/*p/edit");
    assert.deepEqual(found(t, "/x/a/edit/edit").params, { p: ["a", "edit"] });
    assert.deepEqual(found(t, "/x/edit").params, { p: ["edit"] });
    assert.deepEqual(found(t, "/d/a/b/raw").params, { p: "a/b" });
    assert.deepEqual(found(t, "/d/raw/raw").params, { p: "raw" });
    assert.equal(t.match("GET", "/d/raw").type, "not_found");
    assert.deepEqual(found(t, "/two/1/sep/2/sep/3").params, { a: ["1"], b: ["2", "sep", "3"] });
    assert.deepEqual(found(t, "/ext/a/b.md").params, { p: ["a", "b"] });
    assert.equal(t.match("GET", "/ext/a/.md").type, "not_found");
    assert.equal(t.match("GET", "/x/").type, "not_found");
    assert.equal(t.match("GET", "/x/a//b").type, "not_found");
  });

  it("retries a wildcard from a later start after an empty first piece", () => {
    const t = tableOf(["/*a/pre*p/end"]);
    assert.deepEqual(found(t, "/q/pre/prex/end").params, { a: ["q", "pre"], p: ["x"] });
    assert.deepEqual(found(t, "/q/prea/preb/end").params, { a: ["q"], p: ["a", "preb"] });
  });
});

describe("methods", () => {
  const t = tableOf([
    ["/items", ["GET", "POST"]],
    ["/items/:id", ["PUT"]],
    ["/items/<int:id>", ["delete"]],
    ["/only-post", ["POST"]],
    ["/custom", ["GET", "HEAD", "OPTIONS"]],
  ]);

  it("falls back from HEAD to GET and answers OPTIONS automatically", () => {
    assert.equal(found(t, "/items", "HEAD").value, "/items");
    assert.deepEqual(t.match("OPTIONS", "/items"), {
      type: "options",
      allow: ["GET", "HEAD", "OPTIONS", "POST"],
    });
    assert.equal(found(t, "/custom", "OPTIONS").value, "/custom");
  });

  it("answers 405 with the union of methods of every route matching the path", () => {
    assert.deepEqual(t.match("GET", "/items/7"), {
      type: "method_not_allowed",
      allow: ["DELETE", "OPTIONS", "PUT"],
    });
    assert.deepEqual(t.match("OPTIONS", "/items/7"), {
      type: "options",
      allow: ["DELETE", "OPTIONS", "PUT"],
    });
    assert.deepEqual(t.match("GET", "/items/x"), {
      type: "method_not_allowed",
      allow: ["OPTIONS", "PUT"],
    });
    assert.deepEqual(t.match("HEAD", "/only-post"), {
      type: "method_not_allowed",
      allow: ["OPTIONS", "POST"],
    });
    assert.equal(found(t, "/items/7", "DELETE").value, "/items/<int:id>");
    assert.equal(t.match("OPTIONS", "/nothing").type, "not_found");
  });
});

describe("strict slashes", () => {
  const t = tableOf(["/about/", "/users", "/p/<int:id>/", "/docs/<path:p>/", ["/form/", ["POST"]]]);

  it("redirects the slash-less URL of a rule ending in /", () => {
    assert.deepEqual(t.match("GET", "/about"), { type: "redirect", path: "/about/" });
    assert.deepEqual(t.match("GET", "/p/5"), { type: "redirect", path: "/p/5/" });
    assert.deepEqual(t.match("GET", "/docs/a/b"), { type: "redirect", path: "/docs/a/b/" });
    assert.deepEqual(t.match("POST", "/form"), { type: "redirect", path: "/form/" });
    assert.deepEqual(t.match("GET", "/%61bout"), { type: "redirect", path: "/%61bout/" });
    assert.equal(found(t, "/about/").value, "/about/");
  });

  it("does not match the slash URL of a rule without the slash, nor redirect a hit", () => {
    assert.equal(t.match("GET", "/users/").type, "not_found");
    assert.equal(t.match("GET", "/p/x").type, "not_found");
    const u = tableOf(["/a/", "/:name"]);
    assert.deepEqual(found(u, "/a"), { type: "found", value: "/:name", params: { name: "a" } });
  });
});

describe("registration", () => {
  it("rejects the same pattern and method twice, and adding after freeze", () => {
    const c = defaultConverters();
    const t = new RouteTable<number>();
    t.add(compilePattern("/a", c), ["GET", "POST"], 1);
    t.add(compilePattern("/a", c), ["PUT"], 2);
    assert.throws(() => t.add(compilePattern("/a", c), ["post"], 3), /already registered for POST/);
    assert.throws(() => t.add(compilePattern("/b", c), [], 3), /at least one method/);
    t.freeze();
    assert.throws(() => t.add(compilePattern("/c", c), ["GET"], 4), RouteDefinitionError);
    assert.deepEqual(
      [...t.routes()].map((r) => [r.pattern.source, r.methods, r.value]),
      [
        ["/a", ["GET", "POST"], 1],
        ["/a", ["PUT"], 2],
      ],
    );
    assert.deepEqual(t.match("PUT", "/a"), { type: "found", value: 2, params: {} });
  });

  it("keeps the first of two patterns that reach the same route", () => {
    const t = tableOf(["/u/:id", "/u/:uid"]);
    assert.deepEqual(found(t, "/u/1"), { type: "found", value: "/u/:id", params: { id: "1" } });
  });

  it("matches before freeze, including routes added after a lookup", () => {
    const c = defaultConverters();
    const t = new RouteTable<string>();
    t.add(compilePattern("/x/*a", c), ["GET"], "a");
    assert.equal(t.match("GET", "/x/1/y").type, "found");
    t.add(compilePattern("/x/*a/y/*b/z", c), ["GET"], "b");
    assert.deepEqual(t.match("GET", "/x/1/y/2/z"), {
      type: "found",
      value: "b",
      params: { a: ["1"], b: ["2"] },
    });
  });
});
