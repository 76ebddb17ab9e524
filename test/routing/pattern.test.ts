import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RouteDefinitionError } from "../../src/errors.ts";
import { type Converter, defaultConverters } from "../../src/routing/converters.ts";
import { compilePattern, type PatternSegment } from "../../src/routing/pattern.ts";

const converters = defaultConverters();
const compile = (p: string) => compilePattern(p, converters);

function shape(segments: readonly PatternSegment[]): string[] {
  return segments.map((s) => {
    switch (s.type) {
      case "static":
        return `'${s.text}'`;
      case "param":
        return `${s.param.kind}:${s.param.name}`;
      case "mixed":
        return `mixed(${s.params.map((p) => p.name).join(",")})`;
      default:
        return `${s.param.kind}:${s.prefix}[${s.param.name}]${s.suffix}`;
    }
  });
}

describe("compilePattern", () => {
  it("keeps the source, the path-to-regexp tokens and the param names", () => {
    const p = compile("/users/<int:id>/posts/:slug");
    assert.equal(p.source, "/users/<int:id>/posts/:slug");
    assert.deepEqual(p.paramNames, ["id", "slug"]);
    assert.deepEqual(p.tokens, [
      { type: "text", value: "/users/" },
      { type: "param", name: "id" },
      { type: "text", value: "/posts/" },
      { type: "param", name: "slug" },
    ]);
    assert.equal(p.isStatic, false);
    assert.equal(compile("/about/").isStatic, true);
    assert.equal(compile("/about/").variants[0]?.staticPath, "/about/");
  });

  it("ranks params by converter: plain, converter, path, wildcard", () => {
    const p = compile("/a/:x/<y>/<string:z>/<int:n>/<string(length=2):c>/<any(a,b):w>");
    const kinds = Object.fromEntries([...p.params].map(([name, spec]) => [name, spec.kind]));
    assert.deepEqual(kinds, {
      x: "plain",
      y: "plain",
      z: "plain",
      n: "converter",
      c: "converter",
      w: "converter",
    });
    assert.equal(compile("/f/<path:p>").params.get("p")?.kind, "path");
    assert.equal(compile("/f/*p").params.get("p")?.kind, "wildcard");
  });

  it("cuts each expansion into segments", () => {
    assert.deepEqual(shape(compile("/").variants[0]?.segments ?? []), ["''"]);
    assert.deepEqual(shape(compile("/f/:name.:ext/x").variants[0]?.segments ?? []), [
      "'f'",
      "mixed(name,ext)",
      "'x'",
    ]);
    assert.deepEqual(shape(compile("/v<int:n>/").variants[0]?.segments ?? []), ["mixed(n)", "''"]);
    assert.deepEqual(shape(compile("/x/*p/edit").variants[0]?.segments ?? []), [
      "'x'",
      "wildcard:[p]",
      "'edit'",
    ]);
    assert.deepEqual(shape(compile("/d/<path:p>.md").variants[0]?.segments ?? []), [
      "'d'",
      "path:[p].md",
    ]);
    assert.deepEqual(shape(compile("/d/pre-*p").variants[0]?.segments ?? []), [
      "'d'",
      "wildcard:pre-[p]",
    ]);
    assert.deepEqual(shape(compile("/a\\:b/\\*").variants[0]?.segments ?? []), ["'a:b'", "'*'"]);
  });

  it("expands optional groups, nested, into variants", () => {
    const p = compile("/a{/:b{/<int:c>}}/d");
    assert.deepEqual(
      p.variants.map((v) => v.names),
      [["b", "c"], ["b"], []],
    );
    assert.equal(p.params.get("b")?.optional, true);
    assert.deepEqual(
      compile("{/:lang}/about").variants.map((v) => shape(v.segments)),
      [["plain:lang", "'about'"], ["'about'"]],
    );
    assert.deepEqual(
      compile("/about{/}").variants.map((v) => v.staticPath),
      ["/about/", "/about"],
    );
  });

  it("accepts quoted path-to-regexp names and both syntaxes side by side", () => {
    const p = compile('/q/:"with space"/<int:n>/:"a<b"');
    assert.deepEqual(p.paramNames, ["with space", "n", "a<b"]);
    assert.equal(compile("/<id>abc").variants[0]?.segments[0]?.type, "mixed");
  });

  it("uses user converters and calls each factory once per argument list", () => {
    let calls = 0;
    const registry = defaultConverters();
    registry.set("list", (args) => {
      calls++;
      const sep = String(args[0] ?? ",");
      return {
        toValue: (part: string) => part.split(sep),
        toUrl: (v: unknown) => (v as string[]).join(sep),
      };
    });
    const lower: Converter<string> = { toValue: (p) => p.toLowerCase(), toUrl: (v) => v };
    registry.set("lower", lower);
    const a = compilePattern("/a/<list(';'):x>/<lower:y>", registry);
    const b = compilePattern("/b/<list(';'):z>", registry);
    assert.equal(calls, 1);
    assert.equal(a.params.get("x")?.converter, b.params.get("z")?.converter);
    assert.equal(a.params.get("x")?.edgeKey, b.params.get("z")?.edgeKey);
    assert.equal(a.params.get("y")?.converter, lower);
    assert.throws(() => compilePattern("/c/<lower(1):y>", registry), /takes no arguments/);
  });

  const invalid: [string, RegExp][] = [
    ["users", /must start with "\/"/],
    ["", /must start with "\/"/],
    ["/a/<int:id", /unclosed "<"/],
    ["/a/<nope:id>", /Unknown converter "nope"; known: default, string/],
    ["/a/<int(minimum=1):id>", /no option "minimum"/],
    ["/a/<int(min=x):id>", /must be a number/],
    ["/a/<int(min=1:id>", /converter\(arguments\):name/],
    ["/a/<int:1d>", /not a valid parameter name/],
    ["/a/<>", /not a valid parameter name/],
    ["/a/:id/<id>", /appears twice/],
    ["/a/<id>/<int:id>", /appears twice/],
    ["/a{/:id}/:id", /appears twice/],
    ["/a/:__proto__", /cannot be a parameter name/],
    ["/a/<constructor>", /cannot be a parameter name/],
    ['/a/:"prototype"', /cannot be a parameter name/],
    ["/a/:", /Missing parameter name/],
    ["/a/(x)", /Unexpected \(/],
    ["/a/{x", /Unexpected end/],
    ["/a/:a:b", /Missing text before/],
    ["/a/<a><b>", /Missing text before/],
    ["/a/*p-:q", /only parameter between its slashes/],
    ["/a/*p*q", /only parameter between its slashes/],
    ["{/a}", /must start with "\/"/],
    [`/x${"{/a}".repeat(9)}`, /Too many optional group combinations/],
  ];
  for (const [pattern, message] of invalid) {
    it(`rejects ${JSON.stringify(pattern.slice(0, 30))} at registration`, () => {
      assert.throws(
        () => compile(pattern),
        (err: unknown) => {
          assert.ok(err instanceof RouteDefinitionError);
          assert.match(err.message, message);
          assert.ok(err.message.includes(`"${pattern}"`), `names the pattern: ${err.message}`);
          return true;
        },
      );
    });
  }
});
