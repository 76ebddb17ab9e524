/**
 * One route lookup: the path cut into decoded segments, then a depth-first walk of the segment
 * tree in priority order (static child, then dynamic edges by tier), backtracking on failure.
 * Captured values sit in arrays indexed by depth; a params object is built only for the route
 * that is found.
 */
import type { Converter } from "./converters.ts";
import type { Edge, Entry, Node } from "./tree.ts";

// Marks a captured value still to be built from a span of segments (spanEdge says how). Defined
// here rather than imported: under CJS-interop loaders each imported binding read is a getter call.
const DEFERRED: unique symbol = Symbol("deferred");

/**
 * The mutable state of one lookup and the tree walk; a class so the walk allocates no closures.
 * The route table keeps one and reuses it.
 *
 * @example
 * ```ts
 * const lookup = new Lookup<string>();
 * if (lookup.split("/users/7", false)) { lookup.method = "GET"; lookup.walk(root, 0); }
 * ```
 */
export class Lookup<T> {
  raw = "";
  encoded = false;
  method = "";
  /** Decoded segments and where each starts in `raw`. */
  segs: string[] = [];
  starts: number[] = [];
  n = 0;
  /** Captured values by depth; a deferred wildcard stores DEFERRED, its edge and its span. */
  vals: unknown[] = [];
  spanEdge: (Edge<T> | null)[] = [];
  spanFrom: number[] = [];
  spanTo: number[] = [];
  depth = 0;
  /** Strict-slash probe: any route ending here counts, whatever its method. */
  anyMethod = false;
  /** Methods of routes that matched the path but not the method. */
  allow: Set<string> | null = null;
  visited: Set<number> | null = null;
  /** Per deferred wildcard, a failed start and the end of its run of non-empty segments. */
  wildFails: Map<Edge<T>, readonly [number, number]> | null = null;
  value: T | undefined = undefined;
  /** The params of the route found, `null` until one is. */
  params: Record<string, unknown> | null = null;

  /** Splits on "/" first, then decodes each segment, so "%2F" stays inside its segment. */
  split(path: string, encoded: boolean): boolean {
    this.raw = path;
    this.encoded = encoded;
    const segs = this.segs;
    const starts = this.starts;
    let n = 0;
    let start = 1;
    for (;;) {
      const slash = path.indexOf("/", start);
      const end = slash === -1 ? path.length : slash;
      let seg = path.slice(start, end);
      if (encoded && seg.indexOf("%") !== -1) {
        try {
          seg = decodeURIComponent(seg);
        } catch {
          return false;
        }
      }
      segs[n] = seg;
      starts[n] = start;
      n++;
      if (slash === -1) break;
      start = slash + 1;
    }
    this.n = n;
    return true;
  }

  probeSlash(start: number): void {
    this.segs[this.n] = "";
    this.starts[this.n] = start;
    this.n++;
    this.anyMethod = true;
    this.visited = null;
    this.wildFails = null;
    this.depth = 0;
  }

  release(): void {
    this.n = 0;
    this.anyMethod = false;
    this.allow = null;
    this.visited = null;
    this.wildFails = null;
    this.value = undefined;
    this.params = null;
    this.depth = 0;
    this.raw = "";
  }

  walk(node: Node<T>, i: number): boolean {
    if (i === this.n) return this.end(node);
    const seg = this.segs[i] as string;
    const byLength = node.byLength;
    if (byLength !== null) {
      const bucket = seg.length < byLength.length ? byLength[seg.length] : undefined;
      if (bucket !== undefined) {
        const keys = bucket.keys;
        for (let k = 0; k < keys.length; k++) {
          if (keys[k] === seg) {
            if (this.walk(bucket.nodes[k] as Node<T>, i + 1)) return true;
            break;
          }
        }
      }
    } else if (node.statics !== null) {
      const child = node.statics.get(seg);
      if (child !== undefined && this.walk(child, i + 1)) return true;
    }
    // Empty segments ("//", a trailing slash) only ever match static text.
    if (seg === "") return false;
    const edges = node.edges;
    const d = this.depth;
    for (let e = 0; e < edges.length; e++) {
      const edge = edges[e] as Edge<T>;
      if (edge.spans) {
        if (this.wildcard(edge, i)) return true;
        continue;
      }
      const regexp = edge.regexp;
      if (regexp !== null) {
        const m = regexp.exec(seg);
        if (m === null) continue;
        const converters = edge.converters;
        let k = 0;
        for (; k < converters.length; k++) {
          const v = (converters[k] as Converter).toValue(m[k + 1] as string);
          if (v === undefined) break;
          this.vals[d + k] = v;
        }
        if (k < converters.length) continue;
        this.depth = d + k;
      } else {
        const v = edge.converter?.toValue(seg);
        if (v === undefined) continue;
        this.vals[d] = v;
        this.depth = d + 1;
      }
      if (this.walk(edge.child, i + 1)) return true;
      this.depth = d;
    }
    return false;
  }

  end(node: Node<T>): boolean {
    const leaf = node.leaf;
    if (leaf === null) return false;
    if (this.anyMethod) return true;
    const entry = leaf.get(this.method) ?? (this.method === "HEAD" ? leaf.get("GET") : undefined);
    if (entry !== undefined) {
      this.found(entry);
      return true;
    }
    this.allow ??= new Set();
    for (const method of leaf.keys()) this.allow.add(method);
    return false;
  }

  found(entry: Entry<T>): void {
    const vals = this.vals;
    const count = entry.names.length;
    for (let k = 0; k < count; k++) {
      if (vals[k] === DEFERRED) {
        vals[k] = this.spanValue(
          this.spanEdge[k] as Edge<T>,
          this.spanFrom[k] as number,
          this.spanTo[k] as number,
        );
      }
    }
    this.value = entry.value;
    this.params = entry.build(vals);
  }

  /** Tries a wildcard over segments i..j for each j; what follows j must complete a route. */
  wildcard(edge: Edge<T>, i: number): boolean {
    const segs = this.segs;
    const n = this.n;
    const first = segs[i] as string;
    const { prefix, suffix, child } = edge;
    // The first piece (the segment minus the prefix) may never be empty. Returning here, before
    // anything is recorded, also keeps the fast-fail below sound.
    if (first.length === prefix.length || !first.startsWith(prefix)) return false;
    // A decoded %2F can leave an empty piece in a `path` value ("/files/%2Fetc", "a%2F%2Fb"),
    // which its toUrl refuses, so urlFor could never build the URL back: such a value does not
    // match. A segment that would make one ends the run, as an empty segment does.
    const pieces = this.encoded && edge.deferred && !edge.asArray;
    if (pieces && emptyPiece(first, prefix.length)) return false;
    // A deferred wildcard that failed from start s fails from any later start in the same run:
    // its candidates are a subset and every continuation was already tried. This keeps several
    // wildcards in one route linear instead of polynomial in the number of segments.
    const failed = edge.deferred ? this.wildFails?.get(edge) : undefined;
    if (failed !== undefined && i >= failed[0] && i <= failed[1]) return false;
    let last = i;
    while (
      last + 1 < n &&
      segs[last + 1] !== "" &&
      !(pieces && emptyPiece(segs[last + 1] as string, 0))
    ) {
      last++;
    }
    const leafOnly = child.statics === null && child.edges.length === 0;
    const d = this.depth;
    // Shortest first, like Werkzeug's lazy `path` and path-to-regexp's earlier wildcards; a
    // wildcard followed only by its route's end can only take everything.
    for (let j = leafOnly ? last : i; j <= last; j++) {
      const k = j + 1;
      // Cheap look at what must follow, before building any value.
      if (
        k === n
          ? child.leaf === null
          : child.edges.length === 0 && child.statics?.has(segs[k] as string) !== true
      ) {
        continue;
      }
      const end = segs[j] as string;
      if (!end.endsWith(suffix)) continue;
      if (pieces && end.charCodeAt(end.length - suffix.length - 1) === 47) continue;
      // The last piece (or the only one) may not be empty either.
      if (i === j ? first.length <= prefix.length + suffix.length : end.length === suffix.length) {
        continue;
      }
      const key = child.memo ? child.id * (n + 1) + k : -1;
      if (key !== -1 && this.visited?.has(key) === true) continue;
      if (edge.deferred) {
        this.vals[d] = DEFERRED;
        this.spanEdge[d] = edge;
        this.spanFrom[d] = i;
        this.spanTo[d] = j;
      } else {
        const v = edge.converter?.toValue(this.spanText(edge, i, j));
        if (v === undefined) continue;
        this.vals[d] = v;
      }
      this.depth = d + 1;
      if (this.walk(child, k)) return true;
      this.depth = d;
      if (key !== -1) {
        this.visited ??= new Set();
        this.visited.add(key);
      }
    }
    if (edge.deferred) {
      this.wildFails ??= new Map();
      this.wildFails.set(edge, [i, last]);
    }
    return false;
  }

  spanValue(edge: Edge<T>, i: number, j: number): unknown {
    if (!edge.asArray) return this.spanText(edge, i, j);
    const out = this.segs.slice(i, j + 1);
    const lastIndex = out.length - 1;
    if (edge.prefix !== "") out[0] = (out[0] as string).slice(edge.prefix.length);
    if (edge.suffix !== "") {
      const lastSeg = out[lastIndex] as string;
      out[lastIndex] = lastSeg.slice(0, lastSeg.length - edge.suffix.length);
    }
    return out;
  }

  /** The decoded text of segments i..j joined by "/", without the wildcard's prefix and suffix. */
  spanText(edge: Edge<T>, i: number, j: number): string {
    const p = edge.prefix.length;
    const s = edge.suffix.length;
    const segs = this.segs;
    const endSeg = segs[j] as string;
    if (!this.encoded) {
      // Undecoded, the raw path already is the joined text; slicing it copies nothing.
      return this.raw.slice(
        (this.starts[i] as number) + p,
        (this.starts[j] as number) + endSeg.length - s,
      );
    }
    if (i === j) return endSeg.slice(p, endSeg.length - s);
    let text = (segs[i] as string).slice(p);
    for (let m = i + 1; m < j; m++) text += `/${segs[m] as string}`;
    return `${text}/${endSeg.slice(0, endSeg.length - s)}`;
  }
}

/** Whether `segment` from `from` on starts or ends with "/" or holds "//" (prefixes hold none). */
function emptyPiece(segment: string, from: number): boolean {
  if (segment.indexOf("/", from) === -1) return false;
  return (
    segment.charCodeAt(from) === 47 ||
    segment.charCodeAt(segment.length - 1) === 47 ||
    segment.indexOf("//", from) !== -1
  );
}
