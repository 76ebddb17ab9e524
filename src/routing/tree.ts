/**
 * The segment tree behind the route table: one node per path prefix, static children in a Map,
 * dynamic children as edges kept in priority order. Building happens at registration; the lookup
 * in table.ts only reads these structures.
 */
import type { Converter } from "./converters.ts";
import { pathConverter } from "./converters.ts";
import type { PatternSegment, PatternVariant } from "./pattern.ts";

/** Edge tiers, tried in this order after the static child. */
const MIXED = 0;
const CONVERTER = 1;
const PLAIN = 2;
const WILDCARD = 3;

/**
 * What a leaf stores for one method.
 *
 * @example
 * ```ts
 * const entry: Entry<string> = { value: "handler", names: ["id"] };
 * ```
 */
export interface Entry<T> {
  readonly value: T;
  /** Parameter names in capture order, for this expansion of the pattern. */
  readonly names: readonly string[];
  /** Builds the params object from the captured values, in the order of `names`. */
  readonly build: ParamsBuilder;
}

/** Makes a params object from captured values given in name order. */
export type ParamsBuilder = (values: readonly unknown[]) => Record<string, unknown>;

const builders = new Map<string, ParamsBuilder>();

const NO_PARAMS: Record<string, unknown> = Object.freeze({});
const noParams: ParamsBuilder = () => NO_PARAMS;

/**
 * A params builder for these names, shared by every route with the same list. Where code
 * generation is allowed it is an object literal, so each route's params have one fixed shape
 * instead of being filled by keyed stores (a tenth of a lookup in profiles). Names are quoted
 * with JSON.stringify and `__proto__` is refused at compile time, so a name is only ever a key.
 *
 * @example
 * ```ts
 * paramsBuilder(["owner", "repo"])(["ada", "phial"]); // { owner: "ada", repo: "phial" }
 * ```
 */
export function paramsBuilder(names: readonly string[]): ParamsBuilder {
  // Routes without params share one frozen {}, as the table's static hits do (Request.params).
  if (names.length === 0) return noParams;
  const key = JSON.stringify(names);
  let build = builders.get(key);
  if (build === undefined) {
    try {
      const fields = names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(", ");
      build = new Function("v", `return { ${fields} };`) as ParamsBuilder;
    } catch {
      // Code generation disabled (--disallow-code-generation-from-strings): fill a plain object.
      build = (values) => {
        const params: Record<string, unknown> = {};
        for (let k = 0; k < names.length; k++) params[names[k] as string] = values[k];
        return params;
      };
    }
    builders.set(key, build);
  }
  return build;
}

/** Beyond this many static children a node is searched through its Map only. */
const MAX_BUCKETED = 32;

/** Static children whose keys have one length, as parallel arrays. */
export interface StaticBucket<T> {
  readonly keys: string[];
  readonly nodes: Node<T>[];
}

/**
 * A tree node: what follows one path prefix.
 *
 * @example
 * ```ts
 * const root = new Node<string>();
 * insert(root, compilePattern("/a/:b", defaultConverters()).variants[0]!, []);
 * ```
 */
export class Node<T> {
  private static nextId = 0;
  /** Distinguishes nodes in the per-lookup memo of failed visits. */
  readonly id = Node.nextId++;
  statics: Map<string, Node<T>> | null = null;
  /**
   * The same static children bucketed by key length, for the lookup: comparing a freshly
   * sliced segment with the one or two keys of its length beats hashing it for a Map probe,
   * which profiling showed to be a quarter of a GitHub-style lookup. `null` when there are none
   * or too many (then `statics` answers).
   */
  byLength: (StaticBucket<T> | undefined)[] | null = null;
  /** Dynamic children, sorted by {@link compareEdges}. */
  edges: Edge<T>[] = [];
  /** Routes ending here, by method; `null` when none does. */
  leaf: Map<string, Entry<T>> | null = null;
  /** Reached through a wildcard and holding another below: failed visits are remembered. */
  memo = false;
}

/**
 * A dynamic child: one parameter, mixed segment or wildcard, with everything needed to try it
 * without looking anything up.
 *
 * @example
 * ```ts
 * root.edges[0]?.tier === PLAIN; // for a root holding "/:id"
 * ```
 */
export class Edge<T> {
  readonly child = new Node<T>();
  /** Per mixed segment: its regex and the converter of each capture. */
  regexp: RegExp | null = null;
  converters: readonly Converter[] = [];
  /** Single-segment or spanning converter; `null` for `*rest` and mixed segments. */
  converter: Converter | null = null;
  prefix = "";
  suffix = "";
  /** `*rest`: the value is the list of segments. */
  asArray = false;
  /** The value is built only once a route is found (the converter accepts every candidate). */
  deferred = false;
  /** Priority inside the tier, lower first. */
  rank = 0;
  /** Characters of literal text (mixed segments and wildcards), more first. */
  textLength = 0;

  /** A wildcard tier edge; a field so the lookup needs no constant from this module. */
  readonly spans: boolean;
  readonly tier: number;
  readonly identity: string;
  readonly sortKey: string;

  // Plain fields rather than parameter properties: Node's type stripping cannot run those.
  constructor(tier: number, identity: string, sortKey: string) {
    this.tier = tier;
    this.identity = identity;
    this.sortKey = sortKey;
    this.spans = tier === WILDCARD;
  }
}

// Within the converter tier: Werkzeug's narrower converters first, user converters, then string
// with options; decided by name so the order never depends on registration order.
const CONVERTER_RANK: ReadonlyMap<string, number> = new Map([
  ["any", 0],
  ["uuid", 1],
  ["int", 2],
  ["float", 3],
  ["default", 5],
  ["string", 5],
]);
const USER_CONVERTER_RANK = 4;

/**
 * Orders dynamic edges: tier, then the more specific first, then a stable text key.
 *
 * @example
 * ```ts
 * node.edges.sort(compareEdges);
 * ```
 */
export function compareEdges<T>(a: Edge<T>, b: Edge<T>): number {
  return (
    a.tier - b.tier ||
    b.textLength - a.textLength ||
    a.rank - b.rank ||
    (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0)
  );
}

/**
 * Adds the segments of one pattern expansion below `root`, sharing every node it can, and
 * returns the node where the expansion ends.
 *
 * @example
 * ```ts
 * const end = insert(root, pattern.variants[0]!, wildcardEdges);
 * end.leaf ??= new Map();
 * ```
 */
export function insert<T>(root: Node<T>, variant: PatternVariant, wildcards: Edge<T>[]): Node<T> {
  let node = root;
  for (const segment of variant.segments) {
    if (segment.type === "static") {
      node.statics ??= new Map();
      let child = node.statics.get(segment.text);
      if (child === undefined) {
        child = new Node<T>();
        node.statics.set(segment.text, child);
        if (node.statics.size > MAX_BUCKETED) {
          // Many siblings (say /resource1 ... /resource5000): one Map probe keeps the lookup
          // flat, where buckets would turn into long scans.
          node.byLength = null;
        } else {
          node.byLength ??= [];
          const length = segment.text.length;
          const bucket = node.byLength[length] ?? { keys: [], nodes: [] };
          node.byLength[length] = bucket;
          bucket.keys.push(segment.text);
          bucket.nodes.push(child);
        }
      }
      node = child;
      continue;
    }
    const identity = edgeIdentity(segment);
    let edge = node.edges.find((e) => e.identity === identity);
    if (edge === undefined) {
      edge = makeEdge<T>(segment, identity);
      if (edge.spans) wildcards.push(edge);
      node.edges.push(edge);
      node.edges.sort(compareEdges);
    }
    node = edge.child;
  }
  return node;
}

function edgeIdentity(segment: Exclude<PatternSegment, { type: "static" }>): string {
  if (segment.type === "param") return `p${segment.param.edgeKey}`;
  if (segment.type === "mixed") return `m${segment.key}`;
  return `w${segment.param.edgeKey}${JSON.stringify([segment.prefix, segment.suffix])}`;
}

function makeEdge<T>(
  segment: Exclude<PatternSegment, { type: "static" }>,
  identity: string,
): Edge<T> {
  if (segment.type === "mixed") {
    const edge = new Edge<T>(MIXED, identity, segment.key);
    edge.regexp = segment.regexp;
    // Mixed-segment params are never wildcards, so each has a converter.
    edge.converters = segment.params.flatMap((p) =>
      p.converter === undefined ? [] : [p.converter],
    );
    edge.textLength = segment.textLength;
    edge.rank = segment.params.length;
    return edge;
  }
  const { param } = segment;
  if (segment.type === "param") {
    const plain = param.kind === "plain";
    const edge = new Edge<T>(plain ? PLAIN : CONVERTER, identity, param.key);
    edge.converter = param.converter ?? null;
    // The same converter with arguments is narrower than without: int(max=10) before int.
    const base = CONVERTER_RANK.get(param.converterName ?? "") ?? USER_CONVERTER_RANK;
    edge.rank = plain ? 0 : base * 2 + (param.key === param.converterName ? 1 : 0);
    return edge;
  }
  const edge = new Edge<T>(WILDCARD, identity, `${param.key}${identity}`);
  edge.prefix = segment.prefix;
  edge.suffix = segment.suffix;
  edge.textLength = segment.prefix.length + segment.suffix.length;
  edge.converter = param.converter ?? null;
  edge.asArray = param.kind === "wildcard";
  edge.deferred = edge.asArray || param.converter === pathConverter;
  // A user converter spanning slashes is narrower than path or *rest.
  edge.rank = edge.deferred ? 1 : 0;
  return edge;
}

/**
 * Flags the nodes whose failed visits a lookup should remember: the child of a wildcard that
 * has another wildcard below. Without it, `/*a/*b/*c/x` against a long path would retry the
 * same suffixes polynomially often. Takes the table's wildcard edges, so a table without
 * wildcards costs nothing here.
 *
 * @example
 * ```ts
 * markMemo(wildcardEdges); // after the last insert
 * ```
 */
export function markMemo<T>(wildcards: Iterable<Edge<T>>): void {
  for (const edge of wildcards) edge.child.memo = hasWildcard(edge.child);
}

function hasWildcard<T>(node: Node<T>): boolean {
  for (const edge of node.edges) if (edge.spans || hasWildcard(edge.child)) return true;
  if (node.statics !== null) {
    for (const child of node.statics.values()) if (hasWildcard(child)) return true;
  }
  return false;
}
