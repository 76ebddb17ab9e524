/** Route table: hostile and unusual paths, linear time on adversarial input, and scale. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildUrl } from "../../src/routing/build.ts";
import { defaultConverters } from "../../src/routing/converters.ts";
import { compilePattern } from "../../src/routing/pattern.ts";
import { RouteTable } from "../../src/routing/table.ts";
import { found, tableOf } from "./helpers.ts";

describe("decoding", () => {
  const t = tableOf([
    "/files/:name",
    "/a/b",
    "/raw/*rest",
    "/p/<path:p>",
    "/café",
    "/f/:name.:ext",
    "/about",
  ]);

  it("splits before decoding: %2F never separates segments", () => {
    assert.equal(t.match("GET", "/a%2Fb").type, "not_found");
    assert.deepEqual(found(t, "/raw/a%2Fb/c").params, { rest: ["a/b", "c"] });
    assert.deepEqual(found(t, "/p/a%2Fb/c").params, { p: "a/b/c" });
    // Inside one segment a decoded "/" is data, for plain and mixed params alike; whoever joins
    // it to a file path must treat it as such.
    assert.deepEqual(found(t, "/files/..%2Fetc%2Fpasswd").params, { name: "../etc/passwd" });
    assert.deepEqual(found(t, "/f/a%2Fb.txt").params, { name: "a/b", ext: "txt" });
  });

  it("never gives a path value an empty piece, which urlFor could not build back", () => {
    for (const path of ["/p/%2Fa", "/p/a%2F", "/p/a%2F/b", "/p/a/%2Fb", "/p/a%2F%2Fb", "/p/%2F"]) {
      assert.equal(t.match("GET", path).type, "not_found", path);
    }
    assert.deepEqual(found(t, "/p/a%2Fb%2Fc/d").params, { p: "a/b/c/d" });
    // A list item may hold a "/": it is encoded back as %2F.
    assert.deepEqual(found(t, "/raw/%2F/a%2F").params, { rest: ["/", "a/"] });
    // With text around it, the pieces are what is left once the text is taken off.
    const mixed = tableOf(["/x-<path:p>.md/end"]);
    for (const path of ["/x-a%2F.md/end", "/x-%2Fa.md/end", "/x-a/b%2F.md/end"]) {
      assert.equal(mixed.match("GET", path).type, "not_found", path);
    }
    assert.deepEqual(found(mixed, "/x-a%2Fb/c.md/end").params, { p: "a/b/c" });
  });

  it("decodes each segment exactly once", () => {
    assert.deepEqual(found(t, "/files/a%2520b").params, { name: "a%20b" });
    assert.deepEqual(found(t, "/files/%5C%00").params, { name: "\\\u0000" });
    assert.deepEqual(found(t, "/f/r%C3%A9sum%C3%A9.pdf").params, { name: "résumé", ext: "pdf" });
    assert.equal(found(t, "/%61bout").value, "/about");
  });

  it("reaches unicode static paths through their encoding", () => {
    assert.equal(found(t, "/caf%C3%A9").value, "/café");
    assert.equal(found(t, "/café").value, "/café");
    assert.equal(t.match("GET", "/caf%c3%a9").type, "found");
    assert.equal(t.match("GET", "/CAF%C3%A9").type, "not_found");
  });

  it("answers bad_path for malformed percent-encoding, whatever the routes", () => {
    for (const path of [
      "/a/%",
      "/a/%zz",
      "/files/%E0%A4%A",
      "/files/%C0%AE",
      "/%ED%A0%80",
      "/nothing/%G1",
    ]) {
      assert.deepEqual(t.match("GET", path), { type: "bad_path" }, path);
    }
  });

  it("treats empty segments as data that no param matches", () => {
    assert.equal(t.match("GET", "/files/").type, "not_found");
    assert.equal(t.match("GET", "//files/x").type, "not_found");
    assert.equal(t.match("GET", "/raw//x").type, "not_found");
    const root = tableOf(["/", "/:id"]);
    assert.equal(found(root, "/").value, "/");
    assert.equal(root.match("GET", "//").type, "not_found");
  });

  it("misses paths that do not start with /", () => {
    for (const path of ["", "*", "about", "http://x/about"])
      assert.equal(t.match("GET", path).type, "not_found");
  });
});

describe("adversarial input", () => {
  const routes = [
    "/:a-:b-:c-:d/x",
    "/r/:a.:b.:c",
    "/m/v<int:n>.<float:f>",
    "/*a/*b/*c/end",
    "/<path:a>/<path:b>/raw",
    "/w/*p/:q/:r",
    "/s/<string(minlength=3):s>/<int:n>",
    "/y/*a.md/edit",
    "/z/*a/pre*b/*c.md/end",
  ];
  const t = tableOf(routes);
  const paths = [
    `/${"a-".repeat(5000)}`,
    `/${"-".repeat(10000)}/x`,
    `/r/${".".repeat(10000)}`,
    `/r/${"a.".repeat(5000)}`,
    `/m/v${"1".repeat(5000)}.${"2".repeat(4990)}x`,
    `/${"a/".repeat(5000)}`,
    `/${"a/end/".repeat(1600)}nope`,
    `/${"a/raw/".repeat(1600)}x`,
    `/w/${"q/".repeat(5000)}`,
    `/${"%20/".repeat(2500)}`,
    `/${"%20/".repeat(2400)}raw/`,
    `/s/${"a".repeat(10000)}/x`,
    `/y/${"a.md/".repeat(2000)}x`,
    `/${"%".repeat(10000)}`,
    `/z/${"pre/".repeat(2500)}`,
    `/z/${"prea.md/".repeat(1250)}x`,
  ];

  it("answers 10 KB paths against multi-param routes quickly", () => {
    for (const path of paths) {
      const start = performance.now();
      for (const method of ["GET", "POST"]) t.match(method, path);
      const ms = performance.now() - start;
      assert.ok(ms < 1000, `${path.slice(0, 24)}... took ${ms.toFixed(1)} ms`);
    }
  });

  it("still matches those routes on ordinary paths", () => {
    assert.deepEqual(found(t, "/1-2-3-4/x").params, { a: "1", b: "2", c: "3", d: "4" });
    assert.deepEqual(found(t, "/1/2/3/4/end").params, { a: ["1"], b: ["2"], c: ["3", "4"] });
    assert.deepEqual(found(t, "/a/b/raw/c/raw").params, { a: "a", b: "b/raw/c" });
    assert.deepEqual(found(t, "/m/v1.2.5").params, { n: 1, f: 2.5 });
    assert.deepEqual(found(t, "/y/a/b.md/edit").params, { a: ["a", "b"] });
  });
});

describe("scale", () => {
  it("builds and matches 5000 random routes", () => {
    // mulberry32: a small seeded generator, so failures reproduce.
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return (((x ^ (x >>> 14)) >>> 0) % n) | 0;
    };
    const words = [
      "users",
      "repos",
      "orgs",
      "teams",
      "issues",
      "pulls",
      "files",
      "v1",
      "api",
      "admin",
    ];
    // "$" stands for the param name; values below build a URL each route accepts.
    const dynamic: [string, unknown][] = [
      ["<int:$>", 7],
      [":$", "x"],
      ["<uuid:$>", "123e4567-e89b-12d3-a456-426614174000"],
      ["<any(a, b):$>", "a"],
      ["v<int:$>", 3],
      ["<string(length=3):$>", "abc"],
      ["<float:$>", 1.5],
    ];
    const c = defaultConverters();
    const routes = new Map<string, Record<string, unknown>>();
    while (routes.size < 5000) {
      const parts: string[] = [];
      const values: Record<string, unknown> = {};
      for (let d = 0, depth = 1 + rand(6); d < depth; d++) {
        const pick = dynamic[rand(dynamic.length)];
        if (rand(3) > 0 || pick === undefined) {
          parts.push(`${words[rand(words.length)]}${rand(50)}`);
        } else {
          parts.push(pick[0].replace("$", `p${d}`));
          values[`p${d}`] = pick[1];
        }
      }
      if (rand(8) === 0) {
        parts.push("*rest");
        values.rest = ["r", "s"];
      }
      routes.set(`/${parts.join("/")}${rand(6) === 0 ? "/" : ""}`, values);
    }
    const compiled = [...routes.keys()].map((p) => compilePattern(p, c));
    const t = new RouteTable<string>();
    const start = performance.now();
    for (const p of compiled) t.add(p, ["GET"], p.source);
    t.freeze();
    assert.ok(performance.now() - start < 5000);
    let reached = 0;
    for (const p of compiled) {
      const url = buildUrl(p, routes.get(p.source) ?? {});
      const m = t.match("GET", url);
      assert.equal(m.type, "found", `${p.source} -> ${url}`);
      if (m.type === "found" && m.value === p.source) reached++;
    }
    // Random routes may shadow one another (v<int> vs :name...); most must reach themselves.
    assert.ok(reached > 4500, `only ${reached} routes reached themselves`);
  });
});
