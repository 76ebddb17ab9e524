import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BuildError, RouteDefinitionError } from "../../src/errors.ts";
import { bindOptions, parseConverterArgs } from "../../src/routing/converter-args.ts";
import {
  type Converter,
  type ConverterArg,
  defaultConverters,
  pathConverter,
} from "../../src/routing/converters.ts";

function make(
  name: string,
  args: ConverterArg[] = [],
  kwargs: Record<string, ConverterArg> = {},
): Converter {
  const entry = defaultConverters().get(name);
  assert.ok(entry !== undefined, name);
  return typeof entry === "function" ? entry(args, kwargs) : entry;
}

describe("parseConverterArgs", () => {
  it("reads positional and keyword arguments in Python call syntax", () => {
    const words = parseConverterArgs(String.raw`about, help, "x y", 'it\'s'`);
    assert.deepEqual(words.args, ["about", "help", "x y", "it's"]);
    assert.deepEqual(Object.keys(words.kwargs), []);
    const { args, kwargs } = parseConverterArgs("3, min = -1, max=9.5, signed=True, other=False,");
    assert.deepEqual(args, [3]);
    assert.deepEqual({ ...kwargs }, { min: -1, max: 9.5, signed: true, other: false });
    assert.equal(Object.getPrototypeOf(kwargs), null);
  });

  it("rejects malformed lists with a message saying what to fix", () => {
    assert.throws(() => parseConverterArgs("a b"), /separate arguments with commas/);
    assert.throws(() => parseConverterArgs("min=1, 2"), /put positional arguments first/);
    assert.throws(() => parseConverterArgs("min=1, min=2"), /given twice/);
    assert.throws(() => parseConverterArgs('"open'), /Unterminated quote/);
    assert.throws(() => parseConverterArgs("a,,b"), /Empty converter argument/);
    assert.throws(() => parseConverterArgs("1x=2"), /not a valid option name/);
    assert.throws(() => parseConverterArgs("a;b"), RouteDefinitionError);
  });

  it("binds options positionally and by name", () => {
    const spec = [
      ["a", "count"],
      ["b", "bool"],
    ] as const;
    assert.deepEqual({ ...bindOptions("x", [2], { b: true }, spec) }, { a: 2, b: true });
    assert.throws(() => bindOptions("x", [1, true, 3], {}, spec), /at most 2 arguments/);
    assert.throws(() => bindOptions("x", [1], { a: 2 }, spec), /twice/);
    assert.throws(
      () => bindOptions("x", [], { c: 1 }, spec),
      /no option "c"; its options are: a, b/,
    );
    assert.throws(() => bindOptions("x", [-1], {}, spec), /whole number/);
    assert.throws(() => bindOptions("x", [], { b: 1 }, spec), /True or False/);
  });
});

describe("built-in converters", () => {
  it("default/string: one non-empty segment (a decoded %2F is data), with length options", () => {
    const s = make("default");
    assert.equal(s.toValue("abc"), "abc");
    assert.equal(s.toValue(""), undefined);
    assert.equal(s.toValue("a/b"), "a/b", "a decoded %2F is data");
    const two = make("string", [], { length: 2 });
    assert.equal(two.toValue("de"), "de");
    assert.equal(two.toValue("é😀"), "é😀", "code points, not UTF-16 units");
    assert.equal(two.toValue("abc"), undefined);
    const range = make("string", [2, 3]);
    assert.equal(range.toValue("a"), undefined);
    assert.equal(range.toValue("abc"), "abc");
    assert.equal(range.toValue("abcd"), undefined);
    assert.throws(() => make("string", [], { minlength: 5, maxlength: 2 }), /above its maxlength/);
    assert.throws(() => make("string", [], { size: 2 }), /no option "size"/);
    assert.equal(s.toUrl(12), "12");
    assert.equal(s.toUrl("a/b"), "a/b");
    assert.throws(() => s.toUrl(""), /empty string/);
    assert.throws(() => two.toUrl("abc"), BuildError);
    assert.throws(() => s.toUrl({}), BuildError);
  });

  it("int: ASCII digits only unless signed, fixed_digits, min and max", () => {
    const i = make("int");
    assert.equal(i.toValue("42"), 42);
    assert.equal(i.toValue("007"), 7);
    for (const bad of ["-1", "+1", "1.0", "1e3", "", " 1", "١٢", "0x10", "99999999999999999999"]) {
      assert.equal(i.toValue(bad), undefined, bad);
    }
    const signed = make("int", [], { signed: true, min: -5, max: 5 });
    assert.equal(signed.toValue("-5"), -5);
    assert.equal(signed.toValue("-0"), 0);
    assert.ok(Object.is(signed.toValue("-0"), 0));
    assert.equal(signed.toValue("-6"), undefined);
    assert.equal(signed.toValue("6"), undefined);
    assert.equal(signed.toValue("-"), undefined);
    const fixed = make("int", [4]);
    assert.equal(fixed.toValue("0042"), 42);
    assert.equal(fixed.toValue("42"), undefined);
    assert.equal(fixed.toUrl(42), "0042");
    assert.equal(signed.toUrl(-3), "-3");
    assert.equal(i.toUrl("12"), "12");
    assert.equal(i.toUrl(12n), "12");
    assert.throws(() => i.toUrl(-1), /non-negative/);
    assert.throws(() => i.toUrl(1.5), BuildError);
    assert.throws(() => signed.toUrl(9), /-5 to 5/);
    assert.throws(() => make("int", [], { min: "a" }), /must be a number/);
  });

  it("float: needs digits on both sides of a dot", () => {
    const f = make("float");
    assert.equal(f.toValue("1.5"), 1.5);
    for (const bad of ["1", ".5", "1.", "-1.5", "1.5e3", "1..5", "NaN"])
      assert.equal(f.toValue(bad), undefined, bad);
    const bounded = make("float", [], { signed: true, min: -1, max: 1 });
    assert.equal(bounded.toValue("-0.5"), -0.5);
    assert.equal(bounded.toValue("1.5"), undefined);
    assert.equal(f.toUrl(1), "1.0");
    assert.equal(f.toUrl(2.25), "2.25");
    assert.equal(f.toUrl(1e-7), "0.0000001");
    assert.equal(f.toUrl(1.5e21), "1500000000000000000000.0");
    assert.equal(f.toValue(f.toUrl(1.2345e-9)), 1.2345e-9);
    assert.throws(() => f.toUrl(Number.NaN), BuildError);
    assert.throws(() => f.toUrl(-1.5), BuildError);
    assert.equal(bounded.toUrl(-0.5), "-0.5");
  });

  it("path spans slashes; uuid is canonical; any takes listed words", () => {
    const p = make("path");
    assert.equal(p, pathConverter);
    assert.equal(p.spansSlashes, true);
    assert.equal(p.toValue("a/b"), "a/b");
    assert.throws(() => p.toUrl("a//b"), BuildError);
    assert.throws(() => make("path", [1]), /takes no arguments/);

    const u = make("uuid");
    assert.equal(
      u.toValue("123E4567-E89B-12D3-A456-426614174000"),
      "123e4567-e89b-12d3-a456-426614174000",
    );
    assert.equal(u.toValue("123e4567e89b12d3a456426614174000"), undefined);
    assert.equal(u.toValue("123e4567-e89b-12d3-a456-42661417400g"), undefined);
    assert.throws(() => u.toUrl("nope"), BuildError);

    const a = make("any", ["about", "help", "x y"]);
    assert.equal(a.toValue("help"), "help");
    assert.equal(a.toValue("x y"), "x y");
    assert.equal(a.toValue("Help"), undefined);
    assert.equal(a.toUrl("about"), "about");
    assert.throws(() => a.toUrl("other"), /not one of "about", "help", "x y"/);
    assert.throws(() => make("any"), /at least one word/);
    assert.throws(() => make("any", [""]), /empty word/);
    assert.throws(() => make("any", [], { a: 1 }), RouteDefinitionError);
  });

  it("gives each app its own registry", () => {
    const a = defaultConverters();
    a.set("mine", pathConverter);
    assert.equal(defaultConverters().has("mine"), false);
  });
});
