/**
 * The route table: Flask's matching rules over a static-path Map and a segment tree. Lookup cost
 * follows the depth of the path, not the number of routes: fully static routes are one Map hit,
 * dynamic ones walk the tree (static child first, then the ordered dynamic edges), backtracking
 * when a subtree or a converter fails. Regexes run only for segments that mix text and params.
 *
 * Choices where Flask and the design leave room:
 * - Methods are upper-cased at registration and compared exactly at lookup.
 * - Two patterns reaching the same route with the same method: the first registered answers.
 * - The strict-slash redirect is given when the slash URL has a route for any method.
 * - Wildcards and `path` take one or more non-empty segments, the fewest that let the rest of
 *   the route match; they never absorb a trailing slash. A `path` value never has an empty
 *   piece either (a decoded %2F at its ends or next to a slash), since urlFor could not build
 *   it back.
 */
import { RouteDefinitionError } from "../errors.ts";
import { Lookup } from "./lookup.ts";
import type { CompiledPattern } from "./pattern.ts";
import { type Edge, insert, markMemo, Node, paramsBuilder } from "./tree.ts";

/**
 * The answer of {@link RouteTable.match}.
 *
 * @example
 * ```ts
 * const m = table.match("GET", "/users/7");
 * if (m.type === "found") m.params.id; // 7
 * ```
 */
export type RouteMatch<T> =
  | { type: "found"; value: T; params: Record<string, unknown> }
  /** Strict slashes: the request path + "/" (still raw/encoded; the caller appends the query). */
  | { type: "redirect"; path: string }
  /** Automatic OPTIONS answer. */
  | { type: "options"; allow: readonly string[] }
  | { type: "method_not_allowed"; allow: readonly string[] }
  | { type: "not_found" }
  /** Malformed percent-encoding: the caller answers 400. */
  | { type: "bad_path" };

/**
 * One registration, as listed by {@link RouteTable.routes}.
 *
 * @example
 * ```ts
 * for (const r of table.routes()) console.log(r.pattern.source, r.methods.join(","));
 * ```
 */
export interface RouteRecord<T> {
  readonly pattern: CompiledPattern;
  readonly methods: readonly string[];
  readonly value: T;
}

const NOT_FOUND: RouteMatch<never> = Object.freeze({ type: "not_found" });
const BAD_PATH: RouteMatch<never> = Object.freeze({ type: "bad_path" });
const NO_PARAMS: Record<string, unknown> = Object.freeze({});

/**
 * Routes, matched the way Flask matches them. Generic over what it stores (a handler, an
 * endpoint record...). Register with {@link RouteTable.add}, then {@link RouteTable.freeze}.
 *
 * @example
 * ```ts
 * const table = new RouteTable<string>();
 * table.add(compilePattern("/users/<int:id>", defaultConverters()), ["GET"], "showUser");
 * table.match("GET", "/users/7"); // { type: "found", value: "showUser", params: { id: 7 } }
 * ```
 */
export class RouteTable<T> {
  readonly #root = new Node<T>();
  /** Leaf node of each fully static path, for the one-lookup fast path. */
  readonly #statics = new Map<string, Node<T>>();
  readonly #records: RouteRecord<T>[] = [];
  readonly #registered = new Set<string>();
  #frozen = false;
  /** Set by every add: the memo flags and the static answers are computed again before a lookup. */
  #dirty = false;
  /** The answer for each static path and method (HEAD falling back to GET), built once. */
  #staticHits = new Map<string, Map<string, RouteMatch<T>>>();
  readonly #wildcards: Edge<T>[] = [];
  #spare: Lookup<T> | null = new Lookup<T>();

  /**
   * Registers `value` for a pattern and its methods (upper-cased). Throws RouteDefinitionError
   * when the same pattern already has one of the methods, or after {@link freeze}.
   *
   * @example
   * ```ts
   * table.add(compilePattern("/items/:id", converters), ["GET", "PUT"], itemHandler);
   * ```
   */
  add(pattern: CompiledPattern, methods: readonly string[], value: T): void {
    const { source } = pattern;
    if (this.#frozen) {
      throw new RouteDefinitionError(
        `Cannot add route "${source}": the route table is frozen. Register routes before the first request.`,
      );
    }
    const upper = [...new Set(methods.map((m) => m.toUpperCase()))];
    if (upper.length === 0) {
      throw new RouteDefinitionError(`Route "${source}" needs at least one method, e.g. ["GET"].`);
    }
    for (const method of upper) {
      if (this.#registered.has(`${method} ${source}`)) {
        throw new RouteDefinitionError(
          `Route "${source}" is already registered for ${method}; remove one registration or change its methods.`,
        );
      }
    }
    for (const method of upper) this.#registered.add(`${method} ${source}`);
    this.#records.push({ pattern, methods: Object.freeze(upper), value });
    for (const variant of pattern.variants) {
      const end = insert(this.#root, variant, this.#wildcards);
      end.leaf ??= new Map();
      // Two patterns reaching the same node with one method: the first registered wins, as in
      // Werkzeug, and later ones are only listed.
      for (const method of upper) {
        if (!end.leaf.has(method)) {
          end.leaf.set(method, {
            value,
            names: variant.names,
            build: paramsBuilder(variant.names),
          });
        }
      }
      if (variant.staticPath !== undefined) this.#statics.set(variant.staticPath, end);
    }
    this.#dirty = true;
  }

  /**
   * Ends registration: later {@link add} calls throw.
   *
   * @example
   * ```ts
   * table.freeze(); // once, before serving
   * ```
   */
  freeze(): void {
    this.#frozen = true;
    this.#prepare();
  }

  #prepare(): void {
    markMemo(this.#wildcards);
    // Static routes have no params, so each one's answer is a constant: one frozen object per
    // path and method, and a static hit allocates nothing.
    this.#staticHits = new Map();
    for (const [path, node] of this.#statics) {
      if (node.leaf === null || node.leaf === undefined) continue;
      const hits = new Map<string, RouteMatch<T>>();
      for (const [method, entry] of node.leaf) {
        hits.set(method, Object.freeze({ type: "found", value: entry.value, params: NO_PARAMS }));
      }
      const get = hits.get("GET");
      if (get !== undefined && !hits.has("HEAD")) hits.set("HEAD", get);
      this.#staticHits.set(path, hits);
    }
    this.#dirty = false;
  }

  /**
   * Finds the route for a method and a raw request path (no query or fragment, still
   * percent-encoded). Each segment is decoded once, after splitting on "/".
   *
   * @example
   * ```ts
   * table.match("GET", "/caf%C3%A9"); // reaches a route registered as "/café"
   * ```
   */
  match(method: string, path: string): RouteMatch<T> {
    if (this.#dirty) this.#prepare();
    if (path.charCodeAt(0) !== 47) return NOT_FOUND;
    const encoded = path.indexOf("%") !== -1;
    if (!encoded) {
      // Without "%" the raw path is its own decoding, and a static route beats any dynamic one
      // on every segment, so a hit for this method is the answer.
      const hit = this.#staticHits.get(path)?.get(method);
      if (hit !== undefined) return hit;
    }
    // Reuse one scratch state. A converter calling match() re-entrantly gets a fresh one, and
    // one that throws leaves the spare unset, so the next lookup starts clean.
    const lookup = this.#spare ?? new Lookup<T>();
    this.#spare = null;
    const result = this.#run(lookup, method, path, encoded);
    lookup.release();
    this.#spare = lookup;
    return result;
  }

  #run(lookup: Lookup<T>, method: string, path: string, encoded: boolean): RouteMatch<T> {
    if (!lookup.split(path, encoded)) return BAD_PATH;
    lookup.method = method;
    if (lookup.walk(this.#root, 0)) {
      return { type: "found", value: lookup.value as T, params: lookup.params ?? {} };
    }
    const allow = lookup.allow;
    if (allow !== null) {
      if (allow.has("GET")) allow.add("HEAD");
      allow.add("OPTIONS");
      const list = [...allow].sort();
      return method === "OPTIONS"
        ? { type: "options", allow: list }
        : { type: "method_not_allowed", allow: list };
    }
    if (path.charCodeAt(path.length - 1) !== 47) {
      lookup.probeSlash(path.length + 1);
      if (lookup.walk(this.#root, 0)) return { type: "redirect", path: `${path}/` };
    }
    return NOT_FOUND;
  }

  /**
   * Every registration in the order it was made, for listings.
   *
   * @example
   * ```ts
   * [...table.routes()].map((r) => r.pattern.source);
   * ```
   */
  routes(): Iterable<RouteRecord<T>> {
    // A copy: iterable as often as the caller likes, and registration cannot change it underfoot.
    return this.#records.slice();
  }
}
