/**
 * Route patterns: both path-to-regexp's syntax (`:id`, `*rest`, `{/:opt}`, `:"quoted"`, `\`
 * escapes) and Flask's (`<id>`, `<int:id>`, `<any(a, b):page>`), mixable in one pattern. Flask
 * parts are rewritten into quoted path-to-regexp parameters, so path-to-regexp alone reads the
 * syntax; this module then resolves converters, expands optional groups and cuts each expansion
 * into the per-segment pieces the route table walks. Everything here runs at registration.
 */
import { PathError, parse, type Token } from "path-to-regexp";
import { RouteDefinitionError } from "../errors.ts";
import { parseConverterArgs } from "./converter-args.ts";
import type { Converter, ConverterRegistry } from "./converters.ts";
import { expandVariants } from "./segments.ts";

/**
 * How a parameter ranks and what it captures: `plain` (`:id`, `<id>`), `converter` (any other
 * single-segment converter), `path` (a converter spanning slashes, value is a string) or
 * `wildcard` (`*rest`, value is the list of segments).
 *
 * @example
 * ```ts
 * const kind: ParamKind = compilePattern("/<path:p>", converters).params.get("p")!.kind; // "path"
 * ```
 */
export type ParamKind = "plain" | "converter" | "path" | "wildcard";

/**
 * One parameter of a pattern.
 *
 * @example
 * ```ts
 * compilePattern("/u/<int:id>", defaultConverters()).params.get("id")?.kind; // "converter"
 * ```
 */
export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  /** Registry name (`"int"`); `undefined` for `*wildcards`. */
  readonly converterName: string | undefined;
  readonly converter: Converter | undefined;
  /** The converter call in canonical form, e.g. `int` or `int[[],[["min",1]]]`; a stable sort key. */
  readonly key: string;
  /** Equal for parameters that match exactly alike, whatever their names; they share a tree edge. */
  readonly edgeKey: string;
  /** Inside an optional group. */
  readonly optional: boolean;
}

/**
 * One `/`-separated piece of an expanded pattern, as the route table indexes it.
 *
 * @example
 * ```ts
 * compilePattern("/f/:name.:ext", defaultConverters()).variants[0]?.segments[1]?.type; // "mixed"
 * ```
 */
export type PatternSegment =
  | { readonly type: "static"; readonly text: string }
  | { readonly type: "param"; readonly param: ParamSpec }
  | {
      readonly type: "mixed";
      /** Equal for segments that match exactly alike. */
      readonly key: string;
      /** Built by path-to-regexp from this segment's tokens; linear, anchored, one group per param. */
      readonly regexp: RegExp;
      readonly params: readonly ParamSpec[];
      /** Characters of literal text, the more the more specific. */
      readonly textLength: number;
    }
  | {
      readonly type: "wildcard";
      readonly param: ParamSpec;
      /** Text before the wildcard in its first segment and after it in its last. */
      readonly prefix: string;
      readonly suffix: string;
    };

/**
 * One expansion of the optional groups of a pattern.
 *
 * @example
 * ```ts
 * compilePattern("/a{/:b}", defaultConverters()).variants.map((v) => v.names); // [["b"], []]
 * ```
 */
export interface PatternVariant {
  readonly segments: readonly PatternSegment[];
  /** Parameter names in the order the segments capture them. */
  readonly names: readonly string[];
  /** The decoded path when every segment is static, else `undefined`. */
  readonly staticPath: string | undefined;
}

/**
 * A checked, compiled route pattern; build it with {@link compilePattern}.
 *
 * @example
 * ```ts
 * const p = compilePattern("/users/<int:id>", defaultConverters());
 * p.paramNames; // ["id"]
 * ```
 */
export interface CompiledPattern {
  /** The pattern as registered. */
  readonly source: string;
  /** path-to-regexp tokens (Flask parameters appear as parameters or wildcards). */
  readonly tokens: readonly Token[];
  readonly paramNames: readonly string[];
  readonly params: ReadonlyMap<string, ParamSpec>;
  readonly variants: readonly PatternVariant[];
  /** One variant with no parameters. */
  readonly isStatic: boolean;
}

const FLASK_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);

const NO_ARGS = Object.freeze({ args: Object.freeze([]), kwargs: Object.freeze({}) });
// Factories run once per (registry entry, argument list); equal calls share one converter, which
// is what lets routes share tree edges.
const instances = new WeakMap<object, Map<string, Converter>>();
const instanceIds = new WeakMap<Converter, number>();
let nextInstanceId = 1;

/**
 * Checks and compiles a route pattern. Throws RouteDefinitionError naming the pattern for bad
 * syntax, unknown converters, bad converter options, duplicate or reserved parameter names.
 *
 * @example
 * ```ts
 * const p = compilePattern("/files/<path:p>{.:ext}", defaultConverters());
 * p.variants.length; // 2
 * ```
 */
export function compilePattern(pattern: string, converters: ConverterRegistry): CompiledPattern {
  try {
    return compile(pattern, converters);
  } catch (err) {
    if (err instanceof RouteDefinitionError && err.message.startsWith(`Route "${pattern}"`))
      throw err;
    const reason =
      err instanceof PathError
        ? pathErrorReason(err)
        : err instanceof Error
          ? err.message
          : String(err);
    throw new RouteDefinitionError(`Route "${pattern}": ${reason}`, { cause: err });
  }
}

/** path-to-regexp's message without its link and its copy of the (rewritten) pattern. */
function pathErrorReason(err: PathError): string {
  let reason = err.message.replace(/; visit https:\/\/\S+ for info$/, "");
  if (err.originalPath !== undefined && reason.endsWith(`: ${err.originalPath}`)) {
    reason = reason.slice(0, reason.length - err.originalPath.length - 2);
  }
  return reason.startsWith("Missing text before")
    ? `${reason}; put literal text between two parameters.`
    : `${reason}; escape special characters ({}()[]+?!:*) with a backslash.`;
}

interface FlaskParam {
  readonly converterName: string;
  readonly converter: Converter;
  readonly key: string;
}

function compile(source: string, converters: ConverterRegistry): CompiledPattern {
  if (!source.startsWith("/") && !source.startsWith("{/")) {
    throw new RouteDefinitionError(`Route "${source}" must start with "/".`);
  }
  const flask = new Map<string, FlaskParam>();
  const { tokens } = parse(
    source.includes("<") ? translateFlask(source, converters, flask) : source,
  );
  const params = new Map<string, ParamSpec>();
  collectParams(tokens, false, flask, converters, params);
  const variants = expandVariants(tokens, params);
  const only = variants[0];
  return {
    source,
    tokens,
    paramNames: [...params.keys()],
    params,
    variants,
    isStatic: variants.length === 1 && only?.staticPath !== undefined,
  };
}

/** Rewrites each `<conv(args):name>` into a quoted path-to-regexp parameter, recording its converter. */
function translateFlask(
  source: string,
  converters: ConverterRegistry,
  out: Map<string, FlaskParam>,
): string {
  let text = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === "\\") {
      text += source.slice(i, i + 2);
      i += 2;
    } else if ((c === ":" || c === "*") && source[i + 1] === '"') {
      // A quoted path-to-regexp name may hold "<"; copy it through untouched.
      let j = i + 2;
      while (j < source.length && source[j] !== '"') j += source[j] === "\\" ? 2 : 1;
      text += source.slice(i, j + 1);
      i = j + 1;
    } else if (c === "<") {
      const close = source.indexOf(">", i + 1);
      if (close === -1) {
        throw new RouteDefinitionError(
          `Route "${source}": unclosed "<" at index ${i}; close it with ">".`,
        );
      }
      const { name, param } = readFlask(source.slice(i + 1, close), converters);
      if (out.has(name)) throw duplicate(name);
      out.set(name, param);
      text += `${param.converter.spansSlashes === true ? "*" : ":"}"${name}"`;
      i = close + 1;
    } else {
      text += c;
      i++;
    }
  }
  return text;
}

function readFlask(
  inner: string,
  converters: ConverterRegistry,
): { name: string; param: FlaskParam } {
  let converterName = "default";
  let argsText: string | undefined;
  let name = inner;
  const paren = inner.indexOf("(");
  const colon = inner.indexOf(":");
  if (paren !== -1 && (colon === -1 || paren < colon)) {
    const closeParen = inner.lastIndexOf("):");
    if (closeParen < paren) {
      throw new RouteDefinitionError(`"<${inner}>" must read <converter(arguments):name>.`);
    }
    converterName = inner.slice(0, paren);
    argsText = inner.slice(paren + 1, closeParen);
    name = inner.slice(closeParen + 2);
  } else if (colon !== -1) {
    converterName = inner.slice(0, colon);
    name = inner.slice(colon + 1);
  }
  if (!FLASK_NAME.test(converterName)) {
    throw new RouteDefinitionError(`"${converterName}" in "<${inner}>" is not a converter name.`);
  }
  if (!FLASK_NAME.test(name)) {
    throw new RouteDefinitionError(
      `"${name}" in "<${inner}>" is not a valid parameter name; use letters, digits and _.`,
    );
  }
  return { name, param: resolveConverter(converterName, argsText, converters) };
}

function resolveConverter(
  converterName: string,
  argsText: string | undefined,
  converters: ConverterRegistry,
): FlaskParam {
  const entry = converters.get(converterName);
  if (entry === undefined) {
    throw new RouteDefinitionError(
      `Unknown converter "${converterName}"; known: ${[...converters.keys()].join(", ")}. Add yours with converters.set().`,
    );
  }
  const { args, kwargs } = argsText === undefined ? NO_ARGS : parseConverterArgs(argsText);
  const entries = Object.entries(kwargs);
  // "" for no arguments at all, so <int:x> and <int():x> are the same converter.
  const argsKey =
    args.length === 0 && entries.length === 0
      ? ""
      : JSON.stringify([args, entries.sort(([a], [b]) => (a < b ? -1 : 1))]);
  let cache = instances.get(entry);
  if (cache === undefined) {
    cache = new Map();
    instances.set(entry, cache);
  }
  let converter = cache.get(argsKey);
  if (converter === undefined) {
    if (typeof entry === "function") {
      converter = entry(args, kwargs);
    } else if (argsText !== undefined) {
      throw new RouteDefinitionError(
        `The ${converterName} converter takes no arguments; register a factory to accept some.`,
      );
    } else {
      converter = entry;
    }
    cache.set(argsKey, converter);
  }
  const key = `${converterName}${argsKey}`;
  return { converterName, converter, key };
}

function duplicate(name: string): RouteDefinitionError {
  return new RouteDefinitionError(
    `Parameter "${name}" appears twice; give each parameter its own name.`,
  );
}

function instanceId(converter: Converter): number {
  let id = instanceIds.get(converter);
  if (id === undefined) {
    id = nextInstanceId++;
    instanceIds.set(converter, id);
  }
  return id;
}

function collectParams(
  tokens: readonly Token[],
  optional: boolean,
  flask: ReadonlyMap<string, FlaskParam>,
  converters: ConverterRegistry,
  out: Map<string, ParamSpec>,
): void {
  for (const token of tokens) {
    if (token.type === "group") {
      collectParams(token.tokens, true, flask, converters, out);
      continue;
    }
    if (token.type === "text") continue;
    const { name } = token;
    if (out.has(name)) throw duplicate(name);
    if (FORBIDDEN_NAMES.has(name)) {
      throw new RouteDefinitionError(`"${name}" cannot be a parameter name; choose another.`);
    }
    const f = flask.get(name);
    if (token.type === "wildcard" && f === undefined) {
      out.set(name, {
        name,
        kind: "wildcard",
        converterName: undefined,
        converter: undefined,
        key: "*",
        edgeKey: "*",
        optional,
      });
      continue;
    }
    const p = f ?? resolveConverter("default", undefined, converters);
    const plain =
      (p.converterName === "default" || p.converterName === "string") && p.key === p.converterName;
    const kind: ParamKind = token.type === "wildcard" ? "path" : plain ? "plain" : "converter";
    const { converterName, converter, key } = p;
    out.set(name, {
      name,
      kind,
      converterName,
      converter,
      key,
      edgeKey: `${kind}#${instanceId(converter)}`,
      optional,
    });
  }
}
