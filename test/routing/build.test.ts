import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BuildError } from "../../src/errors.ts";
import { buildUrl } from "../../src/routing/build.ts";
import { defaultConverters } from "../../src/routing/converters.ts";
import { compilePattern } from "../../src/routing/pattern.ts";
import { RouteTable } from "../../src/routing/table.ts";

const converters = defaultConverters();
const build = (pattern: string, values: Record<string, unknown>) =>
  buildUrl(compilePattern(pattern, converters), values);

describe("buildUrl", () => {
  it("converts and percent-encodes each value", () => {
    assert.equal(build("/users/<int:id>", { id: 7 }), "/users/7");
    assert.equal(build("/n/<int(fixed_digits=3):n>", { n: 7 }), "/n/007");
    assert.equal(build("/f/<float:x>", { x: 2 }), "/f/2.0");
    assert.equal(build("/s/:name", { name: "a b?d#e%" }), "/s/a%20b%3Fd%23e%25");
    assert.equal(build("/s/:name", { name: "a/b" }), "/s/a%2Fb");
    assert.equal(build("/s/:name", { name: "r@me:1,x=y&$" }), "/s/r@me:1,x=y&$");
    assert.equal(build("/café/:x", { x: "é" }), "/caf%C3%A9/%C3%A9");
    assert.equal(build("/f/:name.:ext", { name: "a", ext: "tar.gz" }), "/f/a.tar.gz");
    assert.equal(build("/v<int:n>/", { n: 2 }), "/v2/");
  });

  it("keeps slashes of path values and joins wildcard lists", () => {
    assert.equal(build("/p/<path:p>/raw", { p: "a b/c" }), "/p/a%20b/c/raw");
    assert.equal(build("/w/*rest", { rest: ["a/b", "c"] }), "/w/a%2Fb/c");
    assert.equal(build("/w/*rest", { rest: "a/b" }), "/w/a/b");
    assert.equal(build("/w/x-*rest.md", { rest: ["a", "b"] }), "/w/x-a/b.md");
    assert.throws(() => build("/w/*rest", { rest: [] }), /non-empty list/);
    assert.throws(() => build("/w/*rest", { rest: ["a", ""] }), BuildError);
    assert.throws(() => build("/p/<path:p>", { p: "/a" }), /non-empty segments/);
  });

  it("includes an optional group only when all its params are given", () => {
    const p = "/a{/:b{/<int:c>}}/d";
    assert.equal(build(p, {}), "/a/d");
    assert.equal(build(p, { b: "x" }), "/a/x/d");
    assert.equal(build(p, { b: "x", c: 3 }), "/a/x/3/d");
    assert.equal(build(p, { c: 3 }), "/a/d", "c without b drops the outer group");
    assert.equal(build("/files{.:ext}", { ext: null }), "/files");
    assert.equal(build("/about{/}", {}), "/about/");
  });

  it("puts other values in the query, URLSearchParams-style", () => {
    assert.equal(
      build("/u/<int:id>", {
        id: 1,
        tab: "a b",
        tags: ["x", "y&z"],
        skip: undefined,
        none: null,
        on: true,
      }),
      "/u/1?tab=a+b&tags=x&tags=y%26z&on=true",
    );
    assert.throws(() => build("/u", { q: { a: 1 } }), /query value "q"/);
  });

  it("throws BuildError naming the param and the pattern", () => {
    assert.throws(
      () => build("/users/<int:id>", {}),
      (err: unknown) =>
        err instanceof BuildError &&
        /missing parameter "id"/.test(err.message) &&
        err.message.includes("/users/<int:id>"),
    );
    assert.throws(() => build("/users/<int:id>", { id: null }), /missing parameter "id"/);
    assert.throws(
      () => build("/users/<int:id>", { id: "x" }),
      /parameter "id": x is not a non-negative integer/,
    );
    assert.throws(() => build("/n/<int(max=9):n>", { n: 10 }), BuildError);
    assert.throws(() => build("/s/:name", { name: "" }), BuildError);
    assert.throws(() => build("/p/<any(a, b):p>", { p: "c" }), /"c" is not one of/);
    const registry = defaultConverters();
    registry.set("bad", {
      toValue: (p) => p,
      toUrl: () => {
        throw new Error("boom");
      },
    });
    assert.throws(
      () => buildUrl(compilePattern("/b/<bad:x>", registry), { x: 1 }),
      /parameter "x": boom/,
    );
  });
});

describe("round trips: build, then match, gives the same params", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["/users/<int:id>", { id: 42 }],
    ["/s/<int(signed=True):n>", { n: -5 }],
    ["/f/<float(signed=True):x>", { x: -0.000001 }],
    ["/u/<uuid:id>", { id: "123e4567-e89b-12d3-a456-426614174000" }],
    ["/a/<any(about, 'x y'):page>", { page: "x y" }],
    ["/n/:name", { name: "héllo wörld?#%/" }],
    ["/m/:a.:b", { a: "x/y", b: "z" }],
    ["/n/<string(length=3):code>/:rest", { code: "a%b", rest: "@:," }],
    ["/p/<path:p>/raw", { p: "dir/é/file.txt" }],
    ["/w/*rest", { rest: ["a/b", "c d", "%"] }],
    ["/o{/:lang}/about{/<int:v>}", { lang: "fr" }],
    ["/o{/:lang}/about{/<int:v>}", { lang: "fr", v: 2 }],
    ["/m/:name.:ext", { name: "archive", ext: "tar.gz" }],
    ["/v<int:major>.<int:minor>/", { major: 1, minor: 20 }],
  ];
  for (const [pattern, values] of cases) {
    it(`${pattern} ${JSON.stringify(values)}`, () => {
      const compiled = compilePattern(pattern, converters);
      const table = new RouteTable<string>();
      table.add(compiled, ["GET"], pattern);
      const url = buildUrl(compiled, values);
      assert.deepEqual(
        table.match("GET", url),
        { type: "found", value: pattern, params: values },
        url,
      );
    });
  }
});
