import { BadRequest, ContentTooLarge } from "../errors.ts";

/**
 * A read-only, multi-value map: what `req.query` and `req.form()` return (of strings) and
 * `req.files()` (of `UploadedFile`s).
 * Shaped like `URLSearchParams` (`get` gives the first value or `null`), but backed by a `Map`
 * so keys such as `__proto__` are plain data and can never reach `Object.prototype`.
 *
 * @example
 * ```ts
 * // GET /search?tag=a&tag=b&q=phial
 * req.query.get("q");      // "phial"
 * req.query.getAll("tag"); // ["a", "b"]
 * ```
 */
export class MultiDict<V = string> implements Iterable<[string, V]> {
  readonly #map: Map<string, V[]>;

  /** A dict of `entries`; a key given several times keeps all its values, in order. */
  constructor(entries?: Iterable<readonly [string, V]>) {
    this.#map = new Map();
    if (entries) for (const [k, v] of entries) this.#add(k, v);
  }

  #add(key: string, value: V): void {
    const list = this.#map.get(key);
    if (list) list.push(value);
    else this.#map.set(key, [value]);
  }

  /** First value for `key`, or `null`. */
  get(key: string): V | null {
    return this.#map.get(key)?.[0] ?? null;
  }

  /** Every value for `key`, in order; empty when absent. */
  getAll(key: string): V[] {
    return this.#map.get(key)?.slice() ?? [];
  }

  /** Whether `key` appeared at least once. */
  has(key: string): boolean {
    return this.#map.has(key);
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.#map.size;
  }

  /** Distinct keys in first-seen order. */
  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  /** Every `[key, value]` pair, repeated keys included. */
  *entries(): IterableIterator<[string, V]> {
    for (const [k, list] of this.#map) for (const v of list) yield [k, v];
  }

  /** Every `[key, value]` pair, as {@link MultiDict.entries}. */
  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /**
   * A null-prototype record of first values (or of all values with `{ all: true }`), for code
   * that wants a plain object.
   */
  toObject(): Record<string, V>;
  toObject(options: { all: true }): Record<string, V[]>;
  toObject(options?: { all: true }): Record<string, V | V[]> {
    const out: Record<string, V | V[]> = Object.create(null);
    for (const [k, list] of this.#map) out[k] = options?.all ? list.slice() : (list[0] as V);
    return out;
  }
}

/** Which limit a too-long urlencoded input breaks decides its status. */
export type ParamLimitKind = "query" | "form";

/**
 * Parses `application/x-www-form-urlencoded` text (a query string or a form body) with
 * `URLSearchParams`, after counting the pairs first so an input with too many of them is refused
 * before any decoding work. Malformed `%` escapes stay literal text, as in browsers.
 */
export function parseUrlEncoded(text: string, maxParams: number, kind: ParamLimitKind): MultiDict {
  if (text === "") return new MultiDict();
  let count = 1;
  for (let i = text.indexOf("&"); i !== -1; i = text.indexOf("&", i + 1)) {
    if (++count > maxParams) {
      const message = `More than ${maxParams} ${kind} parameters; send fewer or raise the limit.`;
      throw kind === "query" ? new BadRequest(message) : new ContentTooLarge(message);
    }
  }
  return new MultiDict(new URLSearchParams(text));
}
