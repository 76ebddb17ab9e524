/**
 * Reverse routing: a compiled pattern plus values gives back a URL that matches the pattern and
 * yields the same params. Each value goes through its converter's `toUrl`, then is
 * percent-encoded per segment; values the pattern does not use become the query string.
 */

import type { Token } from "path-to-regexp";
import { BuildError } from "../errors.ts";
import type { CompiledPattern, ParamSpec } from "./pattern.ts";

/**
 * Builds the URL of `pattern` from `values`. An optional group is written only when all its
 * params are given (a group without params is always written, as path-to-regexp does). Values
 * whose keys the pattern does not use become the query (arrays repeat the key; `undefined` and
 * `null` are skipped). Throws BuildError naming the param and the pattern when a required param
 * is missing or a value cannot be represented.
 *
 * @example
 * ```ts
 * const p = compilePattern("/users/<int:id>{/:tab}", defaultConverters());
 * buildUrl(p, { id: 7, sort: ["a", "b"] }); // "/users/7?sort=a&sort=b"
 * ```
 */
export function buildUrl(
  pattern: CompiledPattern,
  values: Readonly<Record<string, unknown>>,
): string {
  const path = emit(pattern.tokens, pattern, values, true) ?? "";
  const query = new URLSearchParams();
  for (const key of Object.keys(values)) {
    if (pattern.params.has(key)) continue;
    const value = values[key];
    if (Array.isArray(value)) {
      for (const item of value) {
        if (item !== undefined && item !== null) query.append(key, queryText(pattern, key, item));
      }
    } else if (value !== undefined && value !== null) {
      query.append(key, queryText(pattern, key, value));
    }
  }
  const search = query.toString();
  return search === "" ? path : `${path}?${search}`;
}

/** The path for `tokens`, or `null` when a param inside an optional group is missing. */
function emit(
  tokens: readonly Token[],
  pattern: CompiledPattern,
  values: Readonly<Record<string, unknown>>,
  required: boolean,
): string | null {
  let out = "";
  for (const token of tokens) {
    if (token.type === "text") {
      out += encodePath(token.value);
      continue;
    }
    if (token.type === "group") {
      out += emit(token.tokens, pattern, values, false) ?? "";
      continue;
    }
    const value = Object.hasOwn(values, token.name) ? values[token.name] : undefined;
    if (value === undefined || value === null) {
      if (!required) return null;
      throw new BuildError(
        `Cannot build "${pattern.source}": missing parameter "${token.name}"; pass it in the values.`,
      );
    }
    const spec = pattern.params.get(token.name);
    if (spec === undefined)
      throw new BuildError(`Cannot build "${pattern.source}": unknown parameter "${token.name}".`);
    out += paramText(pattern, spec, value);
  }
  return out;
}

function paramText(pattern: CompiledPattern, spec: ParamSpec, value: unknown): string {
  if (spec.kind === "wildcard") return wildcardText(pattern, spec, value);
  let text: unknown;
  try {
    text = spec.converter?.toUrl(value);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new BuildError(`Cannot build "${pattern.source}": parameter "${spec.name}": ${reason}`, {
      cause: err,
    });
  }
  if (typeof text !== "string" || text === "") {
    throw new BuildError(
      `Cannot build "${pattern.source}": the ${spec.converterName} converter gave no text for "${spec.name}".`,
    );
  }
  return spec.kind === "path" ? encodePath(text) : encodeSegment(text);
}

/** `*rest` takes a list of segments (or one string, split on "/"); each must be non-empty. */
function wildcardText(pattern: CompiledPattern, spec: ParamSpec, value: unknown): string {
  const parts: readonly unknown[] =
    typeof value === "string" ? value.split("/") : Array.isArray(value) ? value : [];
  const texts = parts.map((part) =>
    typeof part === "string" || typeof part === "number" || typeof part === "bigint"
      ? String(part)
      : "",
  );
  if (texts.length === 0 || texts.includes("")) {
    throw new BuildError(
      `Cannot build "${pattern.source}": "${spec.name}" needs a non-empty list of non-empty strings.`,
    );
  }
  // Segments are encoded one by one so a "/" inside an array item stays data (%2F).
  return texts.map(encodeSegment).join("/");
}

function queryText(pattern: CompiledPattern, key: string, value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  throw new BuildError(
    `Cannot build "${pattern.source}": query value "${key}" must be a string, number, boolean or an array of them.`,
  );
}

// Characters a path segment may carry as they are (RFC 3986 pchar) and that read better unencoded.
const KEEP = /%(?:3A|40|24|26|2C|3D)/g;

function encodeSegment(text: string): string {
  const encoded = encodeURIComponent(text);
  return encoded.indexOf("%") === -1 ? encoded : encoded.replace(KEEP, decodeURIComponent);
}

/** Encodes each "/"-separated piece, keeping the slashes. */
function encodePath(text: string): string {
  return text.split("/").map(encodeSegment).join("/");
}
