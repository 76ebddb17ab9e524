/**
 * The argument list of a Flask converter, `<int(min=1, signed=True):id>`, read in Python call
 * syntax. A hand-written scanner rather than a regex: it runs once per pattern, stays linear on
 * any input, and can say exactly what is wrong.
 */
import { RouteDefinitionError } from "../errors.ts";
import type { ConverterArg } from "./converters.ts";

/**
 * Positional and keyword arguments of one converter, in the order written.
 *
 * @example
 * ```ts
 * const { args, kwargs }: ConverterArgs = parseConverterArgs("2, max=9");
 * ```
 */
export interface ConverterArgs {
  readonly args: readonly ConverterArg[];
  readonly kwargs: Readonly<Record<string, ConverterArg>>;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INT = /^-?[0-9]+$/;
const FLOAT = /^-?(?:[0-9]+\.[0-9]*|\.[0-9]+)$/;
const BARE = /^[A-Za-z0-9_.-]+$/;

/**
 * Reads the text between the parentheses of a converter call. Values are integers, floats,
 * `True`/`False`, quoted strings ('...' or "...", backslash escapes the quote) or bare words
 * (read as strings). Throws RouteDefinitionError on anything else.
 *
 * @example
 * ```ts
 * parseConverterArgs('about, "x y", min=1'); // { args: ["about", "x y"], kwargs: { min: 1 } }
 * ```
 */
export function parseConverterArgs(text: string): ConverterArgs {
  const args: ConverterArg[] = [];
  // Null prototype: option names come from the pattern and must not reach Object.prototype.
  const kwargs: Record<string, ConverterArg> = Object.create(null);
  let i = 0;
  const n = text.length;
  const skipSpace = (): void => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };
  skipSpace();
  while (i < n) {
    let keyword: string | undefined;
    let value: ConverterArg;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      const read = readQuoted(text, i);
      value = read.value;
      i = read.end;
    } else {
      const start = i;
      while (i < n && text[i] !== "," && text[i] !== "=" && !isSpace(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      skipSpace();
      if (text[i] === "=") {
        if (!IDENT.test(word)) {
          throw new RouteDefinitionError(
            `"${word}" is not a valid option name; use letters, digits and _.`,
          );
        }
        keyword = word;
        i++;
        skipSpace();
        if (text[i] === '"' || text[i] === "'") {
          const read = readQuoted(text, i);
          value = read.value;
          i = read.end;
        } else {
          const vstart = i;
          while (i < n && text[i] !== "," && !isSpace(text.charCodeAt(i))) i++;
          value = readWord(text.slice(vstart, i));
        }
      } else {
        value = readWord(word);
      }
    }
    skipSpace();
    if (i < n && text[i] !== ",") {
      throw new RouteDefinitionError(
        `Unexpected "${text[i]}" in converter arguments "${text}"; separate arguments with commas.`,
      );
    }
    i++;
    skipSpace();
    if (keyword === undefined) {
      if (Object.keys(kwargs).length > 0) {
        throw new RouteDefinitionError(
          `Positional argument after a keyword argument in "${text}"; put positional arguments first.`,
        );
      }
      args.push(value);
    } else {
      if (keyword in kwargs) {
        throw new RouteDefinitionError(`Option "${keyword}" is given twice in "${text}".`);
      }
      kwargs[keyword] = value;
    }
  }
  return { args, kwargs };
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9;
}

function readWord(word: string): ConverterArg {
  if (word === "") {
    throw new RouteDefinitionError("Empty converter argument; remove the extra comma.");
  }
  if (word === "True") return true;
  if (word === "False") return false;
  if (INT.test(word) || FLOAT.test(word)) return Number(word);
  if (!BARE.test(word)) {
    throw new RouteDefinitionError(
      `Converter argument "${word}" is not a number, True/False, a word or a quoted string; quote it.`,
    );
  }
  return word;
}

function readQuoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = "";
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\" && i + 1 < text.length) {
      value += text[i + 1];
      i += 2;
      continue;
    }
    if (c === quote) return { value, end: i + 1 };
    value += c;
    i++;
  }
  throw new RouteDefinitionError(
    `Unterminated quote in converter arguments "${text}"; close it (a ">" cannot appear inside).`,
  );
}

/**
 * How one option of a built-in converter is read: a whole number of 0 or more, any finite
 * number, or True/False.
 *
 * @example
 * ```ts
 * const spec: [string, OptionKind][] = [["min", "number"], ["signed", "bool"]];
 * ```
 */
export type OptionKind = "count" | "number" | "bool";

/**
 * Binds arguments to a converter's named options, positional ones in declaration order, as
 * Python would bind them to the converter's constructor. Throws RouteDefinitionError for unknown
 * options, too many arguments or a value of the wrong kind.
 *
 * @example
 * ```ts
 * bindOptions("int", [3], { max: 9 }, [["fixed_digits", "count"], ["max", "number"]]);
 * // { fixed_digits: 3, max: 9 }
 * ```
 */
export function bindOptions(
  converter: string,
  args: readonly ConverterArg[],
  kwargs: Readonly<Record<string, ConverterArg>>,
  spec: readonly (readonly [string, OptionKind])[],
): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = Object.create(null);
  const names = spec.map(([name]) => name);
  if (args.length > spec.length) {
    throw new RouteDefinitionError(
      `The ${converter} converter takes at most ${spec.length} arguments (${names.join(", ") || "none"}), got ${args.length}.`,
    );
  }
  const put = (name: string, kind: OptionKind, value: ConverterArg): void => {
    if (name in out) {
      throw new RouteDefinitionError(`The ${converter} converter got option "${name}" twice.`);
    }
    out[name] = checkKind(converter, name, kind, value);
  };
  args.forEach((value, index) => {
    const entry = spec[index];
    if (entry !== undefined) put(entry[0], entry[1], value);
  });
  for (const [name, value] of Object.entries(kwargs)) {
    const entry = spec.find(([n]) => n === name);
    if (entry === undefined) {
      throw new RouteDefinitionError(
        `The ${converter} converter has no option "${name}"; its options are: ${names.join(", ") || "none"}.`,
      );
    }
    put(name, entry[1], value);
  }
  return out;
}

function checkKind(
  converter: string,
  name: string,
  kind: OptionKind,
  value: ConverterArg,
): number | boolean {
  if (kind === "bool") {
    if (typeof value !== "boolean") {
      throw new RouteDefinitionError(
        `Option ${name} of the ${converter} converter must be True or False.`,
      );
    }
    return value;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RouteDefinitionError(
      `Option ${name} of the ${converter} converter must be a number.`,
    );
  }
  if (kind === "count" && (!Number.isInteger(value) || value < 0)) {
    throw new RouteDefinitionError(
      `Option ${name} of the ${converter} converter must be a whole number of 0 or more.`,
    );
  }
  return value;
}
