/**
 * A deliberately naive router for the route-table property test: every route is tried against
 * every decoded segment, all possible matches are listed, and the winner is picked by the rules
 * the README documents, nothing more. Where the documentation leaves an order open (two different
 * converters, two different mixed segments, `path` against `*rest`) it accepts any of the tied
 * answers, so the table is held to the documented rules only.
 *
 * Documented rules encoded here (README "Routing rules", the route table's header comment):
 * - per segment from the left: static text beats a segment mixing text and parameters, which
 *   beats a converter, which beats a plain parameter, which beats `path` and wildcards;
 * - registration order never matters, except that two registrations reaching the very same
 *   route (the same chain of segments) with one method answer with the first one;
 * - `path` and `*rest` take one or more non-empty segments, the fewest that let the rest match;
 *   empty segments (`//`, a trailing slash) only ever match static text; a `path` value never
 *   has an empty piece (a decoded %2F at either end of it or next to a slash);
 * - GET answers HEAD; OPTIONS and 405 list every method of every rule matching the path, plus
 *   HEAD with GET, plus OPTIONS;
 * - a rule ending in `/` answers the slash-less URL with a redirect when nothing else matched it;
 * - the path is split on `/`, then each segment is decoded once; a bad escape is a bad path.
 */

/** One `/`-separated piece of a generated pattern, outside any optional group. */
export type SingleSeg =
  | { readonly kind: "static"; readonly text: string }
  | { readonly kind: "plain"; readonly flask: boolean }
  | { readonly kind: "int" }
  | { readonly kind: "intMax" }
  | { readonly kind: "any" }
  | { readonly kind: "suffix" }
  | { readonly kind: "prefix" }
  | { readonly kind: "pair" }
  | { readonly kind: "path" }
  | { readonly kind: "rest" }
  /** `f<path:p>.md` and `f*p.md`: a wildcard with text around it. */
  | { readonly kind: "pathAround" }
  | { readonly kind: "restAround" };

/** A piece of a generated pattern: a segment, or one segment in an optional group `{/...}`. */
export type SegSpec = SingleSeg | { readonly kind: "optional"; readonly inner: SingleSeg };

/** A generated route: its segments, whether it ends in `/`, and its methods. */
export interface RouteSpec {
  readonly segs: readonly SegSpec[];
  readonly trailing: boolean;
  readonly methods: readonly string[];
}

/** Words `any(...)` accepts in generated patterns. */
export const ANY_WORDS: readonly string[] = ["a", "new"];
/** The bound of `int(max=...)` in generated patterns. */
export const INT_MAX = 50;

/** The pattern text of a route, mixing both syntaxes as users may. */
export function renderPattern(route: RouteSpec): string {
  let text = "";
  route.segs.forEach((seg, i) => {
    text += seg.kind === "optional" ? `{/${renderSeg(seg.inner, i)}}` : `/${renderSeg(seg, i)}`;
  });
  if (text === "" || route.trailing) text += "/";
  return text;
}

function renderSeg(seg: SingleSeg, i: number): string {
  const name = `p${i}`;
  switch (seg.kind) {
    case "static":
      return seg.text;
    case "plain":
      return seg.flask ? `<${name}>` : `:${name}`;
    case "int":
      return `<int:${name}>`;
    case "intMax":
      return `<int(max=${INT_MAX}):${name}>`;
    case "any":
      return `<any(${ANY_WORDS.join(", ")}):${name}>`;
    case "suffix":
      return `:${name}.json`;
    case "prefix":
      return `v<${name}>`;
    case "pair":
      return `:${name}a-:${name}b`;
    case "path":
      return `<path:${name}>`;
    case "rest":
      return `*${name}`;
    case "pathAround":
      return `f<path:${name}>.md`;
    case "restAround":
      return `f*${name}.md`;
  }
}

/** A segment of one expansion of the optional groups, with its parameter names. */
interface FlatSeg {
  readonly seg: SingleSeg;
  readonly names: readonly string[];
}

/** Every expansion of the optional groups, with the group before without it (leftmost first). */
function variants(route: RouteSpec): FlatSeg[][] {
  let out: FlatSeg[][] = [[]];
  route.segs.forEach((seg, i) => {
    const inner = seg.kind === "optional" ? seg.inner : seg;
    const flat: FlatSeg = { seg: inner, names: namesOf(inner, i) };
    const next: FlatSeg[][] = [];
    for (const seq of out) {
      next.push([...seq, flat]);
      if (seg.kind === "optional") next.push(seq);
    }
    out = next;
  });
  return out.map((seq) => {
    const end: FlatSeg = { seg: { kind: "static", text: "" }, names: [] };
    return seq.length === 0 || route.trailing ? [...seq, end] : seq;
  });
}

function namesOf(seg: SingleSeg, i: number): string[] {
  if (seg.kind === "static") return [];
  if (seg.kind === "pair") return [`p${i}a`, `p${i}b`];
  return [`p${i}`];
}

/** Ranks from the README: static, mixed, converter, plain, path and wildcards. */
function tierOf(seg: SingleSeg): number {
  switch (seg.kind) {
    case "static":
      return 0;
    case "suffix":
    case "prefix":
    case "pair":
      return 1;
    case "int":
    case "intMax":
    case "any":
      return 2;
    case "plain":
      return 3;
    default:
      return 4;
  }
}

/** Segments that match exactly alike, whatever their syntax or parameter names. */
function identityOf(seg: SingleSeg): string {
  return seg.kind === "static" ? `static:${seg.text}` : seg.kind;
}

/** One way a route expansion matches the path. */
interface Match {
  readonly route: number;
  /** Identity of the segment chain: equal for registrations reaching the same route. */
  readonly node: string;
  readonly keys: readonly { tier: number; id: string; span: number }[];
  readonly values: readonly unknown[];
}

function intValue(text: string, max: number | undefined): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) return undefined;
  return max === undefined || n <= max ? n : undefined;
}

/** Values of one single-segment part, or `undefined` when it does not match. */
function matchOne(seg: SingleSeg, part: string): unknown[] | undefined {
  if (seg.kind === "static") return part === seg.text ? [] : undefined;
  if (part === "") return undefined;
  switch (seg.kind) {
    case "plain":
      return [part];
    case "int":
    case "intMax": {
      const n = intValue(part, seg.kind === "intMax" ? INT_MAX : undefined);
      return n === undefined ? undefined : [n];
    }
    case "any":
      return ANY_WORDS.includes(part) ? [part] : undefined;
    case "suffix":
      return part.length > 5 && part.endsWith(".json") ? [part.slice(0, -5)] : undefined;
    case "prefix":
      return part.length > 1 && part.startsWith("v") ? [part.slice(1)] : undefined;
    case "pair": {
      // The first parameter ends at the first "-" after at least one character.
      const dash = part.indexOf("-", 1);
      if (dash === -1 || dash === part.length - 1) return undefined;
      return [part.slice(0, dash), part.slice(dash + 1)];
    }
    default:
      return undefined;
  }
}

function allMatches(
  route: number,
  flat: readonly FlatSeg[],
  segs: readonly string[],
  out: Match[],
): void {
  const node = flat.map((f) => identityOf(f.seg)).join("|");
  const keys: Match["keys"][number][] = [];
  const values: unknown[] = [];
  const step = (k: number, i: number): void => {
    if (k === flat.length) {
      if (i === segs.length) out.push({ route, node, keys: [...keys], values: [...values] });
      return;
    }
    if (i >= segs.length) return;
    const { seg } = flat[k] as FlatSeg;
    const tier = tierOf(seg);
    const id = identityOf(seg);
    if (tier === 4) {
      const around = seg.kind === "pathAround" || seg.kind === "restAround";
      const [before, after] = around ? ["f", ".md"] : ["", ""];
      for (let j = i; j < segs.length && segs[j] !== ""; j++) {
        const taken = segs.slice(i, j + 1);
        const first = taken[0] as string;
        const last = taken[taken.length - 1] as string;
        if (!first.startsWith(before) || !last.endsWith(after)) continue;
        if (taken.length === 1 && first.length < before.length + after.length) continue;
        taken[0] = first.slice(before.length);
        taken[taken.length - 1] = (taken[taken.length - 1] as string).slice(
          0,
          (taken[taken.length - 1] as string).length - after.length,
        );
        // Each segment's piece is non-empty; a path value has no empty piece at all.
        if (taken.includes("")) continue;
        const asList = seg.kind === "rest" || seg.kind === "restAround";
        if (!asList && taken.join("/").split("/").includes("")) continue;
        keys.push({ tier, id, span: taken.length });
        values.push(asList ? taken : taken.join("/"));
        step(k + 1, j + 1);
        keys.pop();
        values.pop();
      }
      return;
    }
    const got = matchOne(seg, segs[i] as string);
    if (got === undefined) return;
    keys.push({ tier, id, span: 1 });
    values.push(...got);
    step(k + 1, i + 1);
    keys.pop();
    values.length -= got.length;
  };
  step(0, 0);
}

/** Whether `a` beats `b` by the documented rules: at the first segment where they differ. */
function beats(a: Match, b: Match): boolean {
  const n = Math.min(a.keys.length, b.keys.length);
  for (let i = 0; i < n; i++) {
    const x = a.keys[i] as Match["keys"][number];
    const y = b.keys[i] as Match["keys"][number];
    if (x.id === y.id && x.span === y.span) continue;
    if (x.tier !== y.tier) return x.tier < y.tier;
    // The same wildcard taking fewer segments wins; two different parts of one tier are an
    // order the documentation leaves open.
    return x.id === y.id && x.span < y.span;
  }
  return false;
}

/** What the reference expects for one request. */
export type Expected =
  | {
      readonly type: "found";
      /** Every answer the documented rules allow: route index and params. */
      readonly candidates: readonly { route: number; params: Record<string, unknown> }[];
    }
  | { readonly type: "redirect"; readonly path: string }
  | { readonly type: "options" | "method_not_allowed"; readonly allow: readonly string[] }
  | { readonly type: "not_found" | "bad_path" };

/** Routes as the table accepted them: index into the generated list, in registration order. */
export interface Registered {
  readonly index: number;
  readonly route: RouteSpec;
}

/**
 * The naive router: `routes` in registration order (only those the table accepted).
 */
export class ReferenceRouter {
  readonly #expansions: { route: number; flat: FlatSeg[] }[] = [];
  /** node -> method -> the first registration reaching it, with its parameter names. */
  readonly #leaves = new Map<string, Map<string, { route: number; names: string[] }>>();

  constructor(routes: readonly Registered[]) {
    for (const { index, route } of routes) {
      for (const flat of variants(route)) {
        this.#expansions.push({ route: index, flat });
        const node = flat.map((f) => identityOf(f.seg)).join("|");
        let leaf = this.#leaves.get(node);
        if (leaf === undefined) {
          leaf = new Map();
          this.#leaves.set(node, leaf);
        }
        for (const method of new Set(route.methods.map((m) => m.toUpperCase()))) {
          if (!leaf.has(method)) {
            leaf.set(method, { route: index, names: flat.flatMap((f) => f.names) });
          }
        }
      }
    }
  }

  #matches(segs: readonly string[]): Match[] {
    const out: Match[] = [];
    for (const { route, flat } of this.#expansions) allMatches(route, flat, segs, out);
    return out;
  }

  /** The expected answer to `method path` (a raw, still encoded path starting with "/"). */
  expect(method: string, path: string): Expected {
    const segs: string[] = [];
    for (const raw of path.slice(1).split("/")) {
      try {
        segs.push(decodeURIComponent(raw));
      } catch {
        return { type: "bad_path" };
      }
    }
    const matches = this.#matches(segs);
    const answering = matches.filter((m) => this.#entry(m, method) !== undefined);
    if (answering.length > 0) {
      const best = answering.filter((m) => !answering.some((other) => beats(other, m)));
      return {
        type: "found",
        candidates: best.map((m) => {
          const entry = this.#entry(m, method) as { route: number; names: string[] };
          const params: Record<string, unknown> = {};
          entry.names.forEach((name, i) => {
            params[name] = m.values[i];
          });
          return { route: entry.route, params };
        }),
      };
    }
    if (matches.length > 0) {
      const allow = new Set<string>();
      for (const m of matches) for (const k of this.#leaves.get(m.node)?.keys() ?? []) allow.add(k);
      if (allow.has("GET")) allow.add("HEAD");
      allow.add("OPTIONS");
      return {
        type: method === "OPTIONS" ? "options" : "method_not_allowed",
        allow: [...allow].sort(),
      };
    }
    if (!path.endsWith("/") && this.#matches([...segs, ""]).length > 0) {
      return { type: "redirect", path: `${path}/` };
    }
    return { type: "not_found" };
  }

  #entry(m: Match, method: string): { route: number; names: string[] } | undefined {
    const leaf = this.#leaves.get(m.node);
    return leaf?.get(method) ?? (method === "HEAD" ? leaf?.get("GET") : undefined);
  }
}
