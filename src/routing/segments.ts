/**
 * Cuts a parsed pattern into what the route table indexes: every expansion of its optional
 * groups, each as a list of "/"-separated segments (static text, one param, a mixed segment with
 * its path-to-regexp regex, or a wildcard with the text around it).
 */
import { pathToRegexp, type Token } from "path-to-regexp";
import { RouteDefinitionError } from "../errors.ts";
import type { ParamSpec, PatternSegment, PatternVariant } from "./pattern.ts";

const MAX_VARIANTS = 256;
// Regexes run on one decoded segment, where a "/" is data (a decoded %2F), so the delimiter that
// params may not cross must be a character no decoded segment holds: decodeURIComponent never
// yields a lone surrogate, and Node's parser gives request targets as byte-valued characters.
const SEGMENT_REGEXP_OPTIONS = {
  delimiter: "\uDFFF",
  trailing: false,
  sensitive: true,
  end: true,
};

/**
 * The variants of a pattern: one per combination of optional groups, in path-to-regexp's order
 * (with a group before without it). Throws RouteDefinitionError for over 256 combinations, a
 * variant not starting with "/", or a wildcard sharing its segment with another param.
 *
 * @example
 * ```ts
 * expandVariants(parse("/a{/:b}").tokens, params).length; // 2
 * ```
 */
export function expandVariants(
  tokens: readonly Token[],
  params: ReadonlyMap<string, ParamSpec>,
): PatternVariant[] {
  return expand(tokens).map((flat) => toVariant(flat, params));
}

type FlatToken = Exclude<Token, { type: "group" }>;

/** Every combination of optional groups, as flat token lists (path-to-regexp caps them at 256 too). */
function expand(tokens: readonly Token[]): FlatToken[][] {
  if (!tokens.some((t) => t.type === "group")) return [tokens as FlatToken[]];
  let out: FlatToken[][] = [[]];
  for (const token of tokens) {
    if (token.type !== "group") {
      for (const seq of out) seq.push(token);
      continue;
    }
    const inner = expand(token.tokens);
    const next: FlatToken[][] = [];
    for (const seq of out) {
      for (const add of inner) next.push([...seq, ...add]);
      next.push(seq);
    }
    if (next.length > MAX_VARIANTS) {
      throw new RouteDefinitionError(
        `Too many optional group combinations (over ${MAX_VARIANTS}); use fewer groups.`,
      );
    }
    out = next;
  }
  return out;
}

function toVariant(
  flat: readonly FlatToken[],
  params: ReadonlyMap<string, ParamSpec>,
): PatternVariant {
  const segments: PatternSegment[] = [];
  const names: string[] = [];
  let allStatic = true;
  let staticPath = "";
  // Tokens of the segment being read; undefined before the leading "/".
  let current: FlatToken[] | undefined;
  const close = (piece: FlatToken[]): void => {
    const segment = toSegment(piece, params);
    segments.push(segment);
    if (segment.type === "static") {
      staticPath += `/${segment.text}`;
    } else {
      allStatic = false;
      if (segment.type === "mixed") for (const p of segment.params) names.push(p.name);
      else names.push(segment.param.name);
    }
  };
  for (const token of flat) {
    if (token.type !== "text") {
      if (current === undefined) throw startError();
      current.push(token);
      continue;
    }
    const text = token.value;
    let from = 0;
    for (;;) {
      const slash = text.indexOf("/", from);
      const part = text.slice(from, slash === -1 ? text.length : slash);
      if (part !== "") {
        if (current === undefined) throw startError();
        const last = current[current.length - 1];
        if (last?.type === "text")
          current[current.length - 1] = { type: "text", value: last.value + part };
        else current.push({ type: "text", value: part });
      }
      if (slash === -1) break;
      if (current !== undefined) close(current);
      current = [];
      from = slash + 1;
    }
  }
  if (current === undefined) throw startError();
  close(current);
  return { segments, names, staticPath: allStatic ? staticPath : undefined };
}

function startError(): RouteDefinitionError {
  return new RouteDefinitionError(
    'Every form of the pattern must start with "/" (check optional groups).',
  );
}

function spec(params: ReadonlyMap<string, ParamSpec>, name: string): ParamSpec {
  const p = params.get(name);
  if (p === undefined) throw new RouteDefinitionError(`Internal: unknown parameter "${name}".`);
  return p;
}

function toSegment(
  piece: readonly FlatToken[],
  params: ReadonlyMap<string, ParamSpec>,
): PatternSegment {
  const [first, second, third] = piece;
  if (first === undefined) return { type: "static", text: "" };
  if (piece.length === 1 && first.type === "text") return { type: "static", text: first.value };
  if (piece.length === 1 && first.type === "param") {
    return { type: "param", param: spec(params, first.name) };
  }
  let w = -1;
  let others = 0;
  for (let k = 0; k < piece.length; k++) {
    const type = piece[k]?.type;
    if (type === "wildcard" && w === -1) w = k;
    else if (type !== "text") others++;
  }
  if (w !== -1) {
    // Texts are merged, so one wildcard plus only texts means at most text, wildcard, text.
    const ok = others === 0;
    const wildcard = piece[w];
    if (!ok || wildcard === undefined || wildcard.type !== "wildcard") {
      throw new RouteDefinitionError(
        "A wildcard or path parameter must be the only parameter between its slashes.",
      );
    }
    const before = w > 0 && first.type === "text" ? first.value : "";
    const afterToken = w === 0 ? second : third;
    const after = afterToken?.type === "text" ? afterToken.value : "";
    return { type: "wildcard", param: spec(params, wildcard.name), prefix: before, suffix: after };
  }
  const { regexp, keys } = pathToRegexp({ tokens: piece }, SEGMENT_REGEXP_OPTIONS);
  const specs = keys.map((k) => spec(params, k.name));
  let key = "";
  let textLength = 0;
  for (const t of piece) {
    if (t.type === "text") {
      key += JSON.stringify(t.value);
      textLength += t.value.length;
    } else {
      key += `<${spec(params, t.name).edgeKey}>`;
    }
  }
  return { type: "mixed", key, regexp, params: specs, textLength };
}
