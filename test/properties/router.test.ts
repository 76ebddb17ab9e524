/**
 * The route table agrees with a naive reference router (./reference-router.ts) on random route
 * sets and random paths: which route answers, with which params, or whether the answer is a
 * redirect, 405, OPTIONS, 404 or a bad path. Most paths are built to match one of the routes,
 * then mangled a little (a word swapped, a segment dropped, a slash added, characters
 * percent-encoded, a broken escape), so that near misses and ties are common.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { RouteDefinitionError } from "../../src/errors.ts";
import { Phial } from "../../src/index.ts";
import { defaultConverters } from "../../src/routing/converters.ts";
import { compilePattern } from "../../src/routing/pattern.ts";
import { type RouteMatch, RouteTable } from "../../src/routing/table.ts";
import {
  type Expected,
  ReferenceRouter,
  type Registered,
  type RouteSpec,
  renderPattern,
  type SegSpec,
  type SingleSeg,
} from "./reference-router.ts";

const METHODS = ["GET", "POST", "PUT", "DELETE"];
const REQUEST_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"];
// Static words that collide with what the other parts accept: an int, an any() word, a mixed
// segment's shape, so static-versus-dynamic ties come up often.
const STATIC_WORDS = ["a", "b", "new", "users", "7", "x.json", "v1", "a-b"];
// Segment texts for paths: the static words, numbers in and out of int(max=50) and beyond 2^53,
// near misses of the mixed shapes, dot segments, and characters that must be percent-encoded.
const WORDS = [
  ...STATIC_WORDS,
  "42",
  "007",
  "51",
  "-1",
  "1.5",
  "99999999999999999999",
  ".json",
  "v",
  "-x",
  "x-",
  "x--y",
  ".",
  "..",
  "é",
  "ü.json",
  "a/b",
  "/",
  "a/",
  "/b",
  "100%",
  "?#",
];

const singleSeg: fc.Arbitrary<SingleSeg> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...STATIC_WORDS).map((text) => ({ kind: "static", text }) as const),
  },
  { weight: 2, arbitrary: fc.boolean().map((flask) => ({ kind: "plain", flask }) as const) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      { kind: "int" } as const,
      { kind: "intMax" } as const,
      { kind: "any" } as const,
      { kind: "suffix" } as const,
      { kind: "prefix" } as const,
      { kind: "pair" } as const,
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      { kind: "path" } as const,
      { kind: "rest" } as const,
      { kind: "pathAround" } as const,
      { kind: "restAround" } as const,
    ),
  },
);

const seg: fc.Arbitrary<SegSpec> = fc.oneof(
  { weight: 6, arbitrary: singleSeg },
  { weight: 1, arbitrary: singleSeg.map((inner) => ({ kind: "optional", inner }) as const) },
);

const route: fc.Arbitrary<RouteSpec> = fc.record({
  // The first segment is never optional: a pattern's every form must start with "/".
  segs: fc
    .option(
      fc.tuple(singleSeg, fc.array(seg, { maxLength: 3 })).map(([first, rest]) => [first, ...rest]),
      { freq: 8, nil: undefined },
    )
    .map((segs) => segs ?? []),
  trailing: fc.boolean(),
  methods: fc.subarray(METHODS, { minLength: 1 }),
});

/** Decoded segment texts that fit `s` most of the time and miss it some of the time. */
function partsFor(s: SegSpec): fc.Arbitrary<string[]> {
  const word = fc.constantFrom(...WORDS);
  const one = (likely: fc.Arbitrary<string>) =>
    fc.oneof({ weight: 4, arbitrary: likely }, { weight: 1, arbitrary: word }).map((w) => [w]);
  switch (s.kind) {
    case "static":
      return one(fc.constant(s.text));
    case "plain":
      return one(word);
    case "int":
    case "intMax":
      return one(fc.constantFrom("0", "7", "42", "007", "50", "51", "9007199254740993"));
    case "any":
      return one(fc.constantFrom("a", "new", "b"));
    case "suffix":
      return one(word.map((w) => `${w}.json`));
    case "prefix":
      return one(word.map((w) => `v${w}`));
    case "pair":
      return one(fc.tuple(word, word).map(([x, y]) => `${x}-${y}`));
    case "pathAround":
    case "restAround":
      return partsFor({ kind: "path" }).chain((parts) =>
        fc.tuple(fc.boolean(), fc.boolean()).map(([f, md]) => {
          const out = [...parts];
          if (f) out[0] = `f${out[0]}`;
          if (md) out[out.length - 1] = `${out[out.length - 1]}.md`;
          return out;
        }),
      );
    case "path":
    case "rest":
      return fc.oneof(
        { weight: 6, arbitrary: fc.array(word, { minLength: 1, maxLength: 3 }) },
        // An empty segment inside: a wildcard never spans it.
        {
          weight: 1,
          arbitrary: fc.array(fc.constantFrom(...WORDS, ""), { minLength: 1, maxLength: 3 }),
        },
      );
    case "optional":
      return fc.oneof(partsFor(s.inner), fc.constant<string[]>([]));
  }
}

/** Decoded segments built from one route, with its trailing slash usually right. */
function partsFromRoute(r: RouteSpec): fc.Arbitrary<string[]> {
  return fc
    .tuple(fc.tuple(...r.segs.map(partsFor)), fc.integer({ min: 0, max: 9 }))
    .map(([pieces, slash]) => {
      const parts = pieces.flat();
      // Nine times in ten as the route wants it, else the other way.
      const wantsSlash = r.trailing || parts.length === 0;
      if (wantsSlash === slash > 0) parts.push("");
      return parts;
    });
}

const SAFE = /^[A-Za-z0-9._~!$&'()*+,;=:@-]$/;

function percent(char: string, upper: boolean): string {
  const hex = [...Buffer.from(char, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0")}`);
  const text = hex.join("");
  return upper ? text.toUpperCase() : text;
}

/** One decoded segment as raw path text: unsafe characters encoded, safe ones sometimes. */
function encoded(text: string): fc.Arbitrary<string> {
  const chars = [...text];
  return fc
    .tuple(
      ...chars.map((c) =>
        SAFE.test(c)
          ? fc.oneof(
              { weight: 6, arbitrary: fc.constant(c) },
              { weight: 1, arbitrary: fc.boolean().map((upper) => percent(c, upper)) },
            )
          : fc.boolean().map((upper) => percent(c, upper)),
      ),
    )
    .map((pieces) => pieces.join(""));
}

const BROKEN_ESCAPES = ["%", "%4", "%G0", "%E0%A4%A", "%C3", "%FF"];

/** A raw path: the segments encoded, and now and then a malformed escape spliced in. */
function rawPath(parts: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.tuple(...parts.map(encoded)),
      fc.oneof(
        { weight: 15, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom(...BROKEN_ESCAPES)) },
      ),
    )
    .map(([segs, broken]) => {
      let path = `/${segs.join("/")}`;
      if (broken !== null) {
        const at = 1 + (broken[0] % path.length);
        path = path.slice(0, at) + broken[1] + path.slice(at);
      }
      return path;
    });
}

function requestsFor(routes: readonly RouteSpec[]): fc.Arbitrary<[string, string][]> {
  const parts = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.nat(routes.length - 1).chain((i) => partsFromRoute(routes[i] as RouteSpec)),
    },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...WORDS, ""), { maxLength: 5 }) },
  );
  const request = fc.tuple(fc.constantFrom(...REQUEST_METHODS), parts.chain(rawPath));
  return fc.array(request, { minLength: 1, maxLength: 25 });
}

/** A route that differs from `base` in one place, so that the two compete for the same paths. */
function variation(base: RouteSpec): fc.Arbitrary<RouteSpec> {
  return fc
    .record({
      at: fc.nat(),
      change: fc.constantFrom("replace", "replace", "insert", "delete", "slash", "syntax"),
      seg: singleSeg,
      methods: fc.subarray(METHODS, { minLength: 1 }),
    })
    .map(({ at, change, seg: s, methods }) => {
      const segs = [...base.segs];
      const i = segs.length === 0 ? 0 : at % segs.length;
      const old = segs[i];
      if (change === "replace" && old !== undefined) {
        segs[i] = old.kind === "optional" && i > 0 ? { kind: "optional", inner: s } : s;
      } else if (change === "insert") segs.splice(i, 0, s);
      else if (change === "delete" && i > 0) segs.splice(i, 1);
      else if (change === "syntax" && old?.kind === "plain")
        segs[i] = { kind: "plain", flask: !old.flask };
      const trailing = change === "slash" ? !base.trailing : base.trailing;
      return { segs, trailing, methods };
    });
}

const routeSet: fc.Arbitrary<RouteSpec[]> = fc.oneof(
  fc.array(route, { minLength: 1, maxLength: 8 }),
  route.chain((base) =>
    fc.array(variation(base), { minLength: 1, maxLength: 7 }).map((more) => [base, ...more]),
  ),
);

const scenario = routeSet.chain((routes) => fc.tuple(fc.constant(routes), requestsFor(routes)));

function build(routes: readonly RouteSpec[]): {
  table: RouteTable<number>;
  registered: Registered[];
} {
  const table = new RouteTable<number>();
  const converters = defaultConverters();
  const registered: Registered[] = [];
  routes.forEach((r, index) => {
    try {
      table.add(compilePattern(renderPattern(r), converters), r.methods, index);
      registered.push({ index, route: r });
    } catch (err) {
      // The same pattern twice with a shared method is refused; so is nothing else here.
      if (!(err instanceof RouteDefinitionError && /already registered/.test(err.message)))
        throw err;
    }
  });
  table.freeze();
  return { table, registered };
}

function agrees(actual: RouteMatch<number>, expected: Expected): boolean {
  if (expected.type === "found") {
    if (actual.type !== "found") return false;
    return expected.candidates.some((c) => {
      if (c.route !== actual.value) return false;
      try {
        assert.deepStrictEqual({ ...actual.params }, c.params);
        return true;
      } catch {
        return false;
      }
    });
  }
  if (actual.type !== expected.type) return false;
  if (actual.type === "redirect" && expected.type === "redirect")
    return actual.path === expected.path;
  if ("allow" in actual && "allow" in expected)
    return actual.allow.join() === expected.allow.join();
  return true;
}

describe("route table properties", () => {
  test("agrees with a naive reference router on random routes and paths", () => {
    fc.assert(
      fc.property(scenario, ([routes, requests]) => {
        const { table, registered } = build(routes);
        const reference = new ReferenceRouter(registered);
        for (const [method, path] of requests) {
          const actual = table.match(method, path);
          const expected = reference.expect(method, path);
          if (!agrees(actual, expected)) {
            const listing = registered
              .map(
                ({ index, route: r }) => `  ${index}: ${renderPattern(r)} [${r.methods.join(",")}]`,
              )
              .join("\n");
            assert.fail(
              `${method} ${path}\nroutes:\n${listing}\ntable:     ${JSON.stringify(actual)}\nreference: ${JSON.stringify(expected)}`,
            );
          }
        }
      }),
      { numRuns: 1000, includeErrorInReport: true },
    );
  });

  test("an app answers over HTTP as the reference says (status, route, params, Allow, Location)", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ([routes, requests]) => {
        const { registered } = build(routes);
        const reference = new ReferenceRouter(registered);
        const app = new Phial({ staticFolder: null });
        for (const { index, route: r } of registered) {
          app.route(
            renderPattern(r),
            { methods: [...r.methods], endpoint: `r${index}` },
            (req) => ({
              endpoint: req.endpoint,
              params: req.params,
            }),
          );
        }
        const client = app.testClient();
        try {
          for (const [method, path] of requests) {
            const res = await client.open(method, path);
            const expected = reference.expect(method, path);
            const where = `${method} ${path} -> ${res.status} ${res.text()}\nexpected ${JSON.stringify(expected)}\nroutes: ${registered.map((x) => renderPattern(x.route)).join(" ")}`;
            switch (expected.type) {
              case "found": {
                assert.equal(res.status, 200, where);
                if (method === "HEAD") break;
                const body = res.json() as { endpoint: string; params: unknown };
                const ok = expected.candidates.some(
                  (c) =>
                    body.endpoint === `r${c.route}` &&
                    JSON.stringify(body.params) === JSON.stringify(c.params),
                );
                assert.ok(ok, where);
                break;
              }
              case "redirect":
                assert.equal(res.status, 308, where);
                assert.equal(res.headers.get("location"), expected.path, where);
                break;
              case "options":
              case "method_not_allowed":
                assert.equal(res.status, expected.type === "options" ? 200 : 405, where);
                assert.equal(res.headers.get("allow"), expected.allow.join(", "), where);
                break;
              default:
                assert.equal(res.status, expected.type === "not_found" ? 404 : 400, where);
            }
          }
        } finally {
          await client.close();
        }
      }),
      { numRuns: 100, includeErrorInReport: true },
    );
  });
});
