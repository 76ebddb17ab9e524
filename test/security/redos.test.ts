/**
 * Security rule 2: no regex is ever built from request data, every regex the route table
 * generates is linear (anchored, no nested quantifiers), and adversarial 10 KB paths against
 * routes with many params, optional groups, wildcards and converters are answered quickly.
 * The bounds are generous on purpose (the machine is shared): a catastrophic pattern takes
 * seconds to hours on these inputs, a linear one a few milliseconds.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Phial } from "../../src/index.ts";
import { compilePattern } from "../../src/routing/pattern.ts";
import { clientKinds } from "../helpers/clients.ts";
import { silentLogger } from "../helpers/logger.ts";
import { rawExchange, rawGet } from "../helpers/raw-http.ts";
import { serveDuringFile } from "../helpers/serve.ts";

const ROUTES: readonly string[] = [
  "/m/:a-:b-:c-:d-:e.:f",
  "/m/<a>-<b>-<c>-<d>",
  "/o{/:a}{/:b}{/:c}{/:d}{/:e}{/:f}{/:g}/end",
  "/w/*a/x/*b/y/*c/z",
  "/w/*a/*b/*c/*d/end",
  "/p/<path:a>/q/<path:b>/r/<path:c>.txt",
  "/p/<path:a>/<path:b>/<path:c>/stop",
  "/c/<int:a>/<float:b>/<uuid:c>/<any(x, y, z):d>/<slug:e>",
  "/s/<slug:a>-<slug:b>-<int(min=1):c>",
  "/a/<any(alpha, beta, gamma):x>-<int:n>.<lower:l>",
  "/f/:name.:ext",
  "/u/<path:a>/<any(q, r):b>/<path:c>/<any(q, r):d>/done",
  "/z/*a{/:b}{/:c}{/:d}/end",
];

function makeApp(): Phial {
  const app = new Phial({ staticFolder: null, logger: silentLogger() });
  // User converters: one with a regex of its own (a literal, never request data), one without.
  app.converters.set("slug", {
    toValue: (part) => (/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(part) ? part : undefined),
    toUrl: (value) => String(value),
  });
  app.converters.set("lower", {
    toValue: (part) => (part === part.toLowerCase() ? part : undefined),
    toUrl: (value) => String(value),
  });
  for (const rule of ROUTES) app.get(rule, (req) => ({ rule, params: req.params }));
  app.get("/warm", () => "ok");
  return app;
}

const SIZE = 10_000;
/** `unit` repeated to about 10 KB, then `tail`. */
const big = (prefix: string, unit: string, tail = ""): string =>
  prefix + unit.repeat(Math.floor((SIZE - prefix.length - tail.length) / unit.length)) + tail;

/** Inputs shaped to make a backtracking matcher try every split of the path. */
const HOSTILE: readonly string[] = [
  big("/m/", "-"),
  big("/m/", "a-"),
  big("/m/", "a-", "."),
  big("/m/", "a", "!"),
  big("/m/", "%2D"),
  big("/o/", "a/"),
  big("/o/", "a/", "en"),
  big("/w/", "x/"),
  big("/w/", "x/y/z/"),
  big("/w/", "x/", "end/"),
  big("/p/", "a/q/r/", ".tx"),
  big("/p/", "q/"),
  big("/p/", "a/", "sto"),
  big("/c/1/1.5/", "0"),
  big("/s/", "a-"),
  big("/s/", "-"),
  big("/a/", "alpha-"),
  big("/a/alpha-", "1", ".X"),
  big("/f/", "."),
  big("/f/", "a."),
  big("/u/", "q/r/"),
  big("/z/", "a/"),
  big("/z/", "a-1/", "en"),
  big("/", "%2F"),
  big("/", "%zz"),
  big("/", "/"),
];

/** Sends every hostile path, checks each answer, and returns the slowest and total times. */
async function battery(
  send: (target: string) => Promise<number>,
): Promise<{ slowest: number; total: number }> {
  let slowest = 0;
  let total = 0;
  for (const target of HOSTILE) {
    const start = performance.now();
    const status = await send(target);
    const ms = performance.now() - start;
    assert.ok([200, 400, 404].includes(status), `${target.slice(0, 40)}... gave ${status}`);
    slowest = Math.max(slowest, ms);
    total += ms;
  }
  return { slowest, total };
}

function assertFast(result: { slowest: number; total: number }): void {
  // Pathological matching on 10 KB takes seconds or far longer; linear matching a few ms each.
  assert.ok(result.slowest < 1000, `slowest answer took ${result.slowest.toFixed(0)} ms`);
  assert.ok(result.total < 3000, `${HOSTILE.length} answers took ${result.total.toFixed(0)} ms`);
}

const served = serveDuringFile(makeApp);

describe("adversarial 10 KB paths", () => {
  test("the routes match what they should (the battery is not all 404s)", async () => {
    const answer = await rawExchange(served.port, rawGet(big("/m/", "a-", "b.c")));
    assert.equal(answer.status, 200);
    const wild = await rawExchange(served.port, rawGet(big("/w/", "x/", "x/a/y/b/z")));
    assert.equal(wild.status, 200);
    assert.equal(
      (
        await rawExchange(
          served.port,
          rawGet("/c/7/1.5/123e4567-e89b-12d3-a456-426614174000/y/ok-go"),
        )
      ).status,
      200,
    );
  });

  test("26 hostile 10 KB paths over a raw socket are each answered within 1 s, all within 3 s", async () => {
    assertFast(
      await battery(async (target) => (await rawExchange(served.port, rawGet(target))).status),
    );
  });

  for (const kind of clientKinds) {
    test(`the same paths ${kind.name} are each answered within 1 s, all within 3 s`, async () => {
      const client = await kind.create(makeApp());
      try {
        assertFast(await battery(async (target) => (await client.get(target)).status));
      } finally {
        await client.close();
      }
    });
  }
});

/**
 * Quantified groups that contain an unbounded quantifier or an alternation: the shapes that
 * backtrack exponentially, e.g. `(a+)+`, `(?:a|ab)*`, `(\d{2,})+`. Escapes and classes are
 * skipped; lookarounds and backreferences are fine.
 */
function nestedQuantifiers(source: string): string[] {
  const found: string[] = [];
  const stack: { start: number; quantified: boolean; alternation: boolean }[] = [
    { start: 0, quantified: false, alternation: false },
  ];
  const unboundedAt = (i: number): number => {
    const c = source[i];
    if (c === "*" || c === "+") return source[i + 1] === "?" ? 2 : 1;
    const brace = /^\{\d+,\d*\}\??/.exec(source.slice(i));
    if (brace === null) return 0;
    const [, max] = /,(\d*)/.exec(brace[0]) ?? [];
    return max === "" || Number(max) > 1 ? brace[0].length : 0;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const top = stack[stack.length - 1] as (typeof stack)[number];
    if (c === "\\") {
      i++;
    } else if (c === "[") {
      for (i++; i < source.length && source[i] !== "]"; i++) if (source[i] === "\\") i++;
    } else if (c === "(") {
      stack.push({ start: i, quantified: false, alternation: false });
    } else if (c === "|") {
      top.alternation = true;
    } else if (c === ")") {
      const group = stack.pop() as (typeof stack)[number];
      const parent = stack[stack.length - 1] as (typeof stack)[number];
      const q = unboundedAt(i + 1);
      if (q > 0 && (group.quantified || group.alternation)) {
        found.push(source.slice(group.start, i + 1 + q));
      }
      parent.quantified ||= group.quantified || q > 0;
      i += q;
    } else {
      const q = unboundedAt(i);
      if (q > 0) {
        top.quantified = true;
        i += q - 1;
      }
    }
  }
  return found;
}

describe("the regexes the route table generates", () => {
  test("the nested-quantifier check itself finds (a+)+, (?:a|ab)*, (\\d{2,})+ and passes linear ones", () => {
    assert.deepEqual(nestedQuantifiers("^(a+)+$"), ["(a+)+"]);
    assert.deepEqual(nestedQuantifiers("^(?:a|ab)*$"), ["(?:a|ab)*"]);
    assert.deepEqual(nestedQuantifiers("(\\d{2,})+"), ["(\\d{2,})+"]);
    assert.deepEqual(nestedQuantifiers("^(?:(x[^/]+)*)"), ["(x[^/]+)*"]);
    assert.deepEqual(nestedQuantifiers("^(?:(?=([^/]+?)-)(?:\\1)-([^/]+))$"), []);
    assert.deepEqual(nestedQuantifiers("^[(+)]+\\(+$"), []);
  });

  test("every mixed-segment regex of every route is anchored and has no nested quantifier", () => {
    const converters = makeApp().converters;
    let seen = 0;
    for (const rule of ROUTES) {
      for (const variant of compilePattern(rule, converters).variants) {
        for (const segment of variant.segments) {
          if (segment.type !== "mixed") continue;
          seen++;
          const { source } = segment.regexp;
          assert.ok(source.startsWith("^") && source.endsWith("$"), `${rule}: ${source}`);
          assert.deepEqual(nestedQuantifiers(source), [], `${rule}: ${source}`);
        }
      }
    }
    assert.ok(seen >= 5, `only ${seen} regexes inspected`);
  });

  test("no RegExp is constructed while serving hostile paths, queries, headers and bodies", async () => {
    const fresh = makeApp();
    const client = fresh.testClient();
    await client.get("/warm"); // the route table is built and frozen
    const built: string[] = [];
    const Original = globalThis.RegExp;
    const record = (args: unknown[]): void => void built.push(String(args[0]));
    globalThis.RegExp = new Proxy(Original, {
      construct(target, args, newTarget) {
        record(args);
        return Reflect.construct(target, args, newTarget) as object;
      },
      apply(target, thisArg, args) {
        record(args);
        return Reflect.apply(target, thisArg, args) as unknown;
      },
    });
    try {
      for (const target of HOSTILE.slice(0, 8)) await client.get(target);
      await client.get("/m/(a+)+-b-c-d-e.f?q=(a%2B)%2B&x=[", {
        headers: { "x-pattern": "(a+)+$", cookie: "re=.*" },
      });
      await client.post("/f/a.b", { json: { pattern: "(a+)+" } });
      await rawExchange(served.port, rawGet("/p/(.*)*/q/x/r/y.txt"));
    } finally {
      globalThis.RegExp = Original;
      await client.close();
    }
    assert.deepEqual(built, []);
  });
});
