/**
 * Path converters, as in Werkzeug: each one turns a matched, percent-decoded part of the path
 * into a value (or declines it, so the router tries the next candidate) and turns a value back
 * into URL text for `urlFor`. A converter's `toUrl` only accepts values its `toValue` would give
 * back, so a URL that was built always matches the route it was built from.
 */
import { BuildError, RouteDefinitionError } from "../errors.ts";
import { bindOptions } from "./converter-args.ts";

/**
 * One argument of a converter in a pattern, as Python would read it.
 *
 * @example
 * ```ts
 * // "<int(min=1, signed=True):id>" gives the kwargs { min: 1, signed: true }
 * const min: ConverterArg = 1;
 * ```
 */
export type ConverterArg = string | number | boolean;

/**
 * Converts one part of the path in both directions.
 *
 * @example
 * ```ts
 * const lower: Converter<string> = {
 *   toValue: (part) => (part === part.toLowerCase() ? part : undefined),
 *   toUrl: (value) => value.toLowerCase(),
 * };
 * app.converters.set("lower", lower); // then "/tags/<lower:tag>"
 * ```
 */
export interface Converter<T = unknown> {
  /** One matched, percent-decoded part -> value, or undefined when it does not fit (then this route does not match and the next candidate is tried). */
  toValue(part: string): T | undefined;
  /** Value -> unencoded URL text (the builder percent-encodes); throws BuildError when the value can't be represented. */
  toUrl(value: T): string;
  /** True for converters that span slashes (path). */
  readonly spansSlashes?: boolean;
}

/**
 * Makes a converter from the arguments written in the pattern; called once per distinct argument
 * list. Throw RouteDefinitionError for bad arguments.
 *
 * @example
 * ```ts
 * const list: ConverterFactory = (args) => ({
 *   toValue: (part) => part.split(String(args[0] ?? ",")),
 *   toUrl: (value) => (value as string[]).join(String(args[0] ?? ",")),
 * });
 * app.converters.set("list", list); // "/tags/<list(';'):tags>"
 * ```
 */
export type ConverterFactory = (
  args: readonly ConverterArg[],
  kwargs: Readonly<Record<string, ConverterArg>>,
) => Converter;

/**
 * Converters by the name used in patterns. An entry is either a converter (takes no arguments)
 * or a factory.
 *
 * @example
 * ```ts
 * const registry: ConverterRegistry = defaultConverters();
 * registry.set("lower", { toValue: (p) => p.toLowerCase(), toUrl: (v) => String(v) });
 * ```
 */
export type ConverterRegistry = Map<string, Converter | ConverterFactory>;

/**
 * The `path` converter: spans slashes, gives the decoded text as a string. Exported so the route
 * table can recognise it and skip building candidate values it knows this converter accepts.
 *
 * @example
 * ```ts
 * pathConverter.toValue("docs/intro.md"); // "docs/intro.md"
 * ```
 */
export const pathConverter: Converter<string> = Object.freeze({
  spansSlashes: true,
  toValue: (part: string): string | undefined => (part === "" ? undefined : part),
  toUrl(value: unknown): string {
    const text = scalarText("path", value);
    if (text === "" || text.split("/").includes("")) {
      throw new BuildError(
        `The path converter needs non-empty segments, got "${text}"; remove leading, trailing or double slashes.`,
      );
    }
    return text;
  },
});

/**
 * A fresh registry with Werkzeug's converters: `default`/`string`, `int`, `float`, `path`,
 * `uuid` and `any`. Each app owns one, so adding converters never leaks between apps.
 *
 * @example
 * ```ts
 * const converters = defaultConverters();
 * compilePattern("/users/<int(min=1):id>", converters);
 * ```
 */
export function defaultConverters(): ConverterRegistry {
  return new Map<string, Converter | ConverterFactory>([
    ["default", stringFactory],
    ["string", stringFactory],
    ["int", intFactory],
    ["float", floatFactory],
    ["path", (args, kwargs) => noOptions("path", args, kwargs, pathConverter)],
    ["uuid", (args, kwargs) => noOptions("uuid", args, kwargs, uuidConverter)],
    ["any", anyFactory],
  ]);
}

function noOptions(
  name: string,
  args: readonly ConverterArg[],
  kwargs: Readonly<Record<string, ConverterArg>>,
  converter: Converter<string>,
): Converter<string> {
  if (args.length > 0 || Object.keys(kwargs).length > 0) {
    throw new RouteDefinitionError(
      `The ${name} converter takes no arguments; write <${name}:name>.`,
    );
  }
  return converter;
}

/** Text of a value the builder was given, for converters that take strings. */
function scalarText(converter: string, value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  throw new BuildError(
    `The ${converter} converter cannot put a ${value === null ? "null" : typeof value} in a URL; pass a string.`,
  );
}

function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character, as Python counts it.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

const stringFactory: ConverterFactory = (args, kwargs) => {
  const o = bindOptions("string", args, kwargs, [
    ["minlength", "count"],
    ["maxlength", "count"],
    ["length", "count"],
  ]);
  const length = o.length as number | undefined;
  const min = length ?? Math.max(1, (o.minlength as number | undefined) ?? 1);
  const max = length ?? (o.maxlength as number | undefined) ?? Number.POSITIVE_INFINITY;
  if (min > max) {
    throw new RouteDefinitionError(
      `The string converter's minlength ${min} is above its maxlength ${max}.`,
    );
  }
  const bounded = min > 1 || max !== Number.POSITIVE_INFINITY;
  const fits = (text: string): boolean => {
    // A "/" can only arrive as a decoded %2F: data inside one segment, accepted like any other
    // character (the builder encodes it back to %2F).
    if (text === "") return false;
    if (!bounded) return true;
    const n = codePoints(text);
    return n >= min && n <= max;
  };
  return {
    toValue: (part: string): string | undefined => (fits(part) ? part : undefined),
    toUrl(value: unknown): string {
      const text = scalarText("string", value);
      if (!fits(text)) {
        throw new BuildError(
          text === ""
            ? "An empty string cannot fill a parameter; pass some text."
            : `"${text}" does not fit this parameter (length ${min} to ${max}).`,
        );
      }
      return text;
    },
  };
};

interface NumberBounds {
  readonly signed: boolean;
  readonly min: number | undefined;
  readonly max: number | undefined;
}

function inBounds(n: number, b: NumberBounds): boolean {
  return (b.min === undefined || n >= b.min) && (b.max === undefined || n <= b.max);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Counts ASCII digits from `i`; unicode digits never count, unlike Python's `\d`. */
function digitRun(text: string, i: number): number {
  let j = i;
  while (j < text.length && isDigit(text.charCodeAt(j))) j++;
  return j - i;
}

const intFactory: ConverterFactory = (args, kwargs) => {
  const o = bindOptions("int", args, kwargs, [
    ["fixed_digits", "count"],
    ["min", "number"],
    ["max", "number"],
    ["signed", "bool"],
  ]);
  const fixed = (o.fixed_digits as number | undefined) ?? 0;
  const b = boundsOf(o);
  const parse = (text: string): number | undefined => {
    const start = b.signed && text.charCodeAt(0) === 45 ? 1 : 0;
    const digits = digitRun(text, start);
    if (digits === 0 || start + digits !== text.length) return undefined;
    if (fixed > 0 && digits !== fixed) return undefined;
    // Beyond 2^53 a JS number would silently change the value; refuse rather than round.
    const n = Number(text) + 0;
    return Number.isSafeInteger(n) && inBounds(n, b) ? n : undefined;
  };
  return {
    toValue: parse,
    toUrl(value: unknown): string {
      let n: number | undefined;
      if (typeof value === "number" || typeof value === "bigint") n = Number(value);
      else if (typeof value === "string") n = parse(value);
      if (n === undefined || !Number.isSafeInteger(n) || (n < 0 && !b.signed) || !inBounds(n, b)) {
        throw new BuildError(
          `${String(value)} is not a${b.signed ? "n" : " non-negative"} integer this parameter accepts${describeBounds(b)}.`,
        );
      }
      const digits = String(Math.abs(n)).padStart(fixed, "0");
      return n < 0 ? `-${digits}` : digits;
    },
  };
};

function boundsOf(o: Readonly<Record<string, unknown>>): NumberBounds {
  return {
    signed: o.signed === true,
    min: o.min as number | undefined,
    max: o.max as number | undefined,
  };
}

function describeBounds(b: NumberBounds): string {
  if (b.min === undefined && b.max === undefined) return "";
  return ` (${b.min ?? "-inf"} to ${b.max ?? "inf"})`;
}

const floatFactory: ConverterFactory = (args, kwargs) => {
  const o = bindOptions("float", args, kwargs, [
    ["min", "number"],
    ["max", "number"],
    ["signed", "bool"],
  ]);
  const b = boundsOf(o);
  const parse = (text: string): number | undefined => {
    const start = b.signed && text.charCodeAt(0) === 45 ? 1 : 0;
    const whole = digitRun(text, start);
    const dot = start + whole;
    // Werkzeug's float needs digits on both sides of a dot: "1.5", never "1" or ".5".
    if (whole === 0 || text.charCodeAt(dot) !== 46) return undefined;
    const frac = digitRun(text, dot + 1);
    if (frac === 0 || dot + 1 + frac !== text.length) return undefined;
    const n = Number(text) + 0;
    return Number.isFinite(n) && inBounds(n, b) ? n : undefined;
  };
  return {
    toValue: parse,
    toUrl(value: unknown): string {
      const n =
        typeof value === "string" ? parse(value) : typeof value === "number" ? value : undefined;
      if (n === undefined || !Number.isFinite(n) || (n < 0 && !b.signed) || !inBounds(n, b)) {
        throw new BuildError(
          `${String(value)} is not a${b.signed ? "" : " non-negative"} finite number this parameter accepts${describeBounds(b)}.`,
        );
      }
      return decimalText(n + 0);
    },
  };
};

/** Plain decimal text with a dot, never exponent notation: 1 -> "1.0", 1e-7 -> "0.0000001". */
function decimalText(n: number): string {
  const text = String(n);
  const e = text.indexOf("e");
  if (e === -1) return text.includes(".") ? text : `${text}.0`;
  const negative = text.startsWith("-");
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const point = mantissa.indexOf(".");
  const digits = mantissa.replace(".", "");
  const at = (point === -1 ? mantissa.length : point) + exponent;
  let out: string;
  if (at <= 0) out = `0.${"0".repeat(-at)}${digits}`;
  else if (at >= digits.length) out = `${digits}${"0".repeat(at - digits.length)}.0`;
  else out = `${digits.slice(0, at)}.${digits.slice(at)}`;
  return negative ? `-${out}` : out;
}

function isHex(code: number): boolean {
  return isDigit(code) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70);
}

function canonicalUuid(text: string): string | undefined {
  if (text.length !== 36) return undefined;
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23 ? c !== 45 : !isHex(c)) return undefined;
  }
  // Lower case, as str(uuid.UUID(...)) gives in Flask, so equal ids compare equal.
  return text.toLowerCase();
}

const uuidConverter: Converter<string> = Object.freeze({
  toValue: canonicalUuid,
  toUrl(value: unknown): string {
    const text = typeof value === "string" ? canonicalUuid(value) : undefined;
    if (text === undefined) {
      throw new BuildError(`${String(value)} is not a UUID in 8-4-4-4-12 hex form.`);
    }
    return text;
  },
});

const anyFactory: ConverterFactory = (args, kwargs) => {
  if (Object.keys(kwargs).length > 0) {
    throw new RouteDefinitionError(
      "The any converter takes only the allowed words, e.g. any(about, help).",
    );
  }
  if (args.length === 0) {
    throw new RouteDefinitionError(
      "The any converter needs at least one word, e.g. any(about, help).",
    );
  }
  const words = new Set(args.map(String));
  for (const word of words) {
    if (word === "") {
      throw new RouteDefinitionError("The any converter cannot match an empty word; remove it.");
    }
  }
  return {
    toValue: (part: string): string | undefined => (words.has(part) ? part : undefined),
    toUrl(value: unknown): string {
      const text = scalarText("any", value);
      if (!words.has(text)) {
        throw new BuildError(
          `"${text}" is not one of ${[...words].map((w) => `"${w}"`).join(", ")}.`,
        );
      }
      return text;
    },
  };
};
