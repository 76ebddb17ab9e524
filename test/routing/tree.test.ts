/** The tree's lookup aids: generated params builders (odd names, no-codegen Node) and static-child buckets. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { paramsBuilder } from "../../src/routing/tree.ts";
import { found, tableOf } from "./helpers.ts";

test("names that are not identifiers stay plain keys of the params object", () => {
  // U+2028 ends a line in old JavaScript string literals; in a generated builder it must not.
  const t = tableOf(['/q/:"a b"/:"x\\"y"/:"line\u2028"']);
  const { params } = found(t, "/q/1/2/3");
  assert.deepEqual(Object.keys(params), ["a b", 'x"y', "line\u2028"]);
  assert.deepEqual(Object.values(params), ["1", "2", "3"]);
  assert.equal(Object.getPrototypeOf(params), Object.prototype);
});

test("routes with the same names share one builder, and each call gives a fresh object", () => {
  const build = paramsBuilder(["owner", "repo"]);
  assert.equal(paramsBuilder(["owner", "repo"]), build);
  const a = build(["ada", "phial"]);
  const b = build(["bob", "flask"]);
  assert.deepEqual(a, { owner: "ada", repo: "phial" });
  assert.deepEqual(b, { owner: "bob", repo: "flask" });
  assert.notEqual(a, b);
});

test("lookups still work where Node forbids code generation from strings", () => {
  const helpers = fileURLToPath(new URL("./helpers.ts", import.meta.url));
  const script = `
    const { tableOf } = await import(${JSON.stringify(helpers)});
    let generated = true;
    try { new Function("return 1"); } catch { generated = false; }
    const m = tableOf(["/repos/:owner/*rest"]).match("GET", "/repos/ada/a/b");
    console.log(JSON.stringify({ generated, params: m.params }));
  `;
  const out = execFileSync(
    process.execPath,
    [
      "--disallow-code-generation-from-strings",
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      script,
    ],
    { encoding: "utf8" },
  );
  assert.deepEqual(JSON.parse(out), {
    generated: false,
    params: { owner: "ada", rest: ["a", "b"] },
  });
});

test("static siblings: few are bucketed by length, many fall back to one Map probe", async () => {
  const { Node, insert } = await import("../../src/routing/tree.ts");
  const { compilePattern } = await import("../../src/routing/pattern.ts");
  const { defaultConverters } = await import("../../src/routing/converters.ts");
  const converters = defaultConverters();
  const grow = (count: number) => {
    const root = new Node<string>();
    for (let i = 0; i < count; i++) {
      const variant = compilePattern(`/r${i}/:id`, converters).variants[0];
      if (variant !== undefined) insert(root, variant, []);
    }
    return root;
  };
  const few = grow(3);
  assert.deepEqual(few.byLength?.[2]?.keys, ["r0", "r1", "r2"]);
  // Buckets scanned linearly would make the 5000th sibling thousands of comparisons away.
  const many = grow(5000);
  assert.equal(many.byLength, null);
  assert.equal(many.statics?.size, 5000);
  const t = tableOf(Array.from({ length: 5000 }, (_, i) => `/r${i}/:id`));
  assert.deepEqual(found(t, "/r4999/7").params, { id: "7" });
});

test("routes without params share one frozen {}, on the tree path too", () => {
  const empty = paramsBuilder([]);
  assert.equal(empty([]), empty([]));
  assert.ok(Object.isFrozen(empty([])));
  // An encoded static path skips the static-hit map and is matched through the tree.
  const table = tableOf(["/caf\u00e9"]);
  const viaTree = found(table, "/caf%C3%A9");
  assert.deepEqual(viaTree.params, {});
  assert.ok(Object.isFrozen(viaTree.params));
});
