/**
 * Reads prefixed environment variables into config entries, as Flask's `from_prefixed_env`:
 * names map to camelCase keys, known keys get typed conversion and are checked on the spot (so
 * the message can name the variable), other values are JSON when they parse and text otherwise.
 */
import { ConfigError } from "../errors.ts";
import { type KnownKey, kindOf, knownKeyLike, RULES, type Rule } from "./config-rules.ts";
import { isPlainObject } from "./plain-object.ts";

/** One variable's contribution: `config[key]`, or `config[key][nested...]` when nested. */
export interface EnvEntry {
  /** The variable's name, for messages. */
  readonly name: string;
  readonly key: string;
  /** Keys below `key`, from `__` in the name; empty for a top-level setting. */
  readonly nested: readonly string[];
  readonly value: unknown;
}

/**
 * The entries for every variable that starts with `prefix`, sorted by name so a parent
 * (`PHIAL_DB`) is applied before its children (`PHIAL_DB__HOST`).
 */
export function readEnv(
  prefix: string,
  env: Readonly<Record<string, string | undefined>>,
): EnvEntry[] {
  const entries: EnvEntry[] = [];
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith(prefix) || name.length === prefix.length || raw === undefined) continue;
    const [first = "", ...rest] = name.slice(prefix.length).split("__");
    const known = knownKeyLike(first);
    if (known !== undefined) {
      if (rest.length > 0) {
        throw new ConfigError(
          `${name}: config.${known} is not an object, so it has no nested keys; remove the part from "__" on.`,
        );
      }
      entries.push({ name, key: known, nested: [], value: convertKnown(name, known, raw) });
      continue;
    }
    const path = [first, ...rest].map(camelCase);
    if (path.includes("")) {
      throw new ConfigError(
        `${name}: a part of the name is empty; separate words with "_" and nested keys with "__".`,
      );
    }
    const [key = "", ...nested] = path;
    entries.push({ name, key, nested, value: parseLoose(raw) });
  }
  return entries;
}

/**
 * `base` with `value` set at `path`, copying each object on the way so an object the user
 * passed to `fromObject()` is never changed behind their back.
 */
export function withNested(
  base: unknown,
  path: readonly string[],
  value: unknown,
  name: string,
  where: string,
): Record<string, unknown> {
  if (base !== undefined && !isPlainObject(base)) {
    throw new ConfigError(
      `${name}: ${where} is ${kindOf(base)}, not an object, so "${path.join(".")}" cannot be set inside it; rename the variable or remove the value it conflicts with.`,
    );
  }
  const [head = "", ...tail] = path;
  const copy: Record<string, unknown> = { ...base };
  copy[head] =
    tail.length === 0 ? value : withNested(copy[head], tail, value, name, `${where}.${head}`);
  return copy;
}

/** `MAX_CONTENT_LENGTH` -> `maxContentLength`. */
function camelCase(segment: string): string {
  const words = segment.toLowerCase().split("_").filter(Boolean);
  return words.map((w, i) => (i === 0 ? w : w[0]?.toUpperCase() + w.slice(1))).join("");
}

function convertKnown(name: string, key: KnownKey, raw: string): unknown {
  const rule = RULES[key];
  const value = convert(rule, raw);
  if (rule.test(value)) return value;
  const shown = rule.secret ? "(value hidden)" : JSON.stringify(raw);
  const empty = rule.nullable ? " (an empty value means null)" : "";
  throw new ConfigError(
    `${name}=${shown}: config.${key} must be ${rule.expected}${empty}; fix or unset the variable.`,
  );
}

/** The typed value, or the text unchanged when it does not convert (the rule then rejects it). */
function convert(rule: Rule, raw: string): unknown {
  const text = raw.trim();
  if (rule.nullable && text === "") return null;
  switch (rule.kind) {
    case "boolean":
      return parseBoolean(text) ?? raw;
    case "number":
      return parseNumber(text) ?? raw;
    case "string":
      return raw;
    case "choice":
      // Variables are typed by hand; "lax" or "INFO" clearly mean "Lax" and "info".
      return rule.choices?.find((c) => c.toLowerCase() === text.toLowerCase()) ?? raw;
    case "list":
      return parseList(text);
    case "trustProxy":
      if (/^\d+$/.test(text)) return Number(text);
      return parseWord(text) ?? parseList(text);
  }
}

/**
 * A boolean as environment variables spell it: `1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`
 * (any case), else `undefined`.
 *
 * @example
 * ```ts
 * parseBoolean("Yes"); // true
 * ```
 */
export function parseBoolean(text: string): boolean | undefined {
  if (text === "1" || text === "0") return text === "1";
  return parseWord(text);
}

// Hop counts take the digits in trustProxy, so the digit spellings of booleans live apart.
function parseWord(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === "true" || lower === "yes" || lower === "on") return true;
  if (lower === "false" || lower === "no" || lower === "off") return false;
  return undefined;
}

function parseNumber(text: string): number | undefined {
  // Number() alone would take "", "0x10" and " " as numbers; a variable should be plain decimal.
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(text)) return undefined;
  return Number(text);
}

/** A JSON array, or a comma-separated list (blank items dropped). */
function parseList(text: string): unknown {
  if (text.startsWith("[")) return parseLoose(text);
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** Flask's rule for values of unknown keys: JSON if it parses, the text otherwise. */
function parseLoose(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
