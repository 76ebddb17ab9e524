/**
 * Response headers: case-insensitive, multi-valued, validated on every write. Public through
 * `response.ts`; lives here to keep that file to the response itself.
 */
import { validateHeaderName, validateHeaderValue } from "node:http";

/**
 * Headers accepted wherever phial takes headers: a record (an array value gives several
 * headers of one name), an array of `[name, value]` pairs, a {@link ResponseHeaders} or a web
 * `Headers`.
 *
 * @example
 * ```ts
 * const h: HeadersInit = { "Cache-Control": "no-store", Vary: ["Accept", "Cookie"] };
 * ```
 */
export type HeadersInit =
  | Readonly<Record<string, string | number | readonly string[]>>
  | Iterable<readonly [string, string]>
  | ResponseHeaders
  | Headers;

/**
 * Internal to phial: the key of the method giving the header lines for `writeHead`, flattened
 * as `[name, value, name, value, ...]`; names in the `omit` set (lowercase) are skipped.
 *
 * @example
 * ```ts
 * res.writeHead(200, response.headers[kFlat](new Set(["content-length"])));
 * ```
 */
export const kFlat = Symbol("phial.flatHeaders");

interface HeaderEntry {
  /** The name as first set, so responses keep the casing the user wrote. */
  name: string;
  values: string[];
}

/**
 * Case-insensitive response headers. Names and values are validated when set, so a CR/LF or
 * other forbidden character throws a `TypeError` at the line that set it, not later when the
 * response is written.
 *
 * @example
 * ```ts
 * const h = new ResponseHeaders({ "Content-Type": "text/plain" });
 * h.append("Vary", "Accept");
 * h.get("content-type"); // "text/plain"
 * ```
 */
export class ResponseHeaders implements Iterable<[string, string]> {
  readonly #map = new Map<string, HeaderEntry>();

  /** Headers from `init`, validated as `append` validates them; repeated names keep every value. */
  constructor(init?: HeadersInit) {
    if (init !== undefined) this.extend(init, false);
  }

  /**
   * The value of `name`, several values joined with `", "`; `null` when absent. Set-Cookie
   * lines cannot be joined safely, so for `set-cookie` this is the first one; use `getAll`.
   *
   * @example
   * ```ts
   * res.headers.get("Vary"); // "Accept, Cookie"
   * ```
   */
  get(name: string): string | null {
    const key = name.toLowerCase();
    const entry = this.#map.get(key);
    if (entry === undefined) return null;
    const { values } = entry;
    if (values.length === 1 || key === "set-cookie") return values[0] ?? null;
    return values.join(", ");
  }

  /**
   * Every value of `name` in order; empty when absent.
   *
   * @example
   * ```ts
   * res.headers.getAll("Set-Cookie"); // ["a=1; Path=/", "b=2; Path=/"]
   * ```
   */
  getAll(name: string): string[] {
    return this.#map.get(name.toLowerCase())?.values.slice() ?? [];
  }

  /**
   * Whether `name` is present.
   *
   * @example
   * ```ts
   * res.headers.has("content-type"); // true
   * ```
   */
  has(name: string): boolean {
    return this.#map.has(name.toLowerCase());
  }

  /**
   * Replaces every value of `name` with `value`.
   *
   * @example
   * ```ts
   * res.headers.set("Cache-Control", "no-store");
   * ```
   */
  set(name: string, value: string | number): this {
    const text = checked(name, value);
    const key = name.toLowerCase();
    const entry = this.#map.get(key);
    if (entry === undefined) this.#map.set(key, { name, values: [text] });
    else entry.values = [text];
    return this;
  }

  /**
   * Adds a value to `name`, keeping the existing ones.
   *
   * @example
   * ```ts
   * res.headers.append("Vary", "Cookie");
   * ```
   */
  append(name: string, value: string | number): this {
    const text = checked(name, value);
    const key = name.toLowerCase();
    const entry = this.#map.get(key);
    if (entry === undefined) this.#map.set(key, { name, values: [text] });
    else entry.values.push(text);
    return this;
  }

  /**
   * Removes `name`; returns whether it was present.
   *
   * @example
   * ```ts
   * res.headers.delete("X-Powered-By");
   * ```
   */
  delete(name: string): boolean {
    return this.#map.delete(name.toLowerCase());
  }

  /**
   * Copies headers in: with `replace` (the default) each name present in `init` replaces the
   * values here; otherwise they are appended. Repeated names within `init` are all kept.
   *
   * @example
   * ```ts
   * res.headers.extend({ "X-Frame-Options": "DENY" });
   * ```
   */
  extend(init: HeadersInit, replace = true): this {
    const seen = replace ? new Set<string>() : undefined;
    if (init instanceof ResponseHeaders) {
      for (const entry of init.#map.values()) {
        for (const v of entry.values) this.#add(entry.name, v, seen);
      }
    } else if (isWebHeaders(init)) {
      // Older runtimes join Set-Cookie lines when iterating web Headers; read them apart.
      for (const [name, value] of init) if (name !== "set-cookie") this.#add(name, value, seen);
      for (const cookie of init.getSetCookie()) this.#add("Set-Cookie", cookie, seen);
    } else if (isPairs(init)) {
      for (const pair of init) {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new TypeError("Header pairs must be [name, value] arrays of two strings.");
        }
        this.#add(pair[0], pair[1], seen);
      }
    } else {
      for (const name of Object.keys(init)) {
        const value = init[name];
        if (typeof value === "string" || typeof value === "number") this.#add(name, value, seen);
        else if (Array.isArray(value)) for (const v of value) this.#add(name, v, seen);
        else throw new TypeError(`Header "${name}" must be a string, number or array of strings.`);
      }
    }
    return this;
  }

  /** Appends, except that the first value of each name in `seen`'s batch replaces. */
  #add(name: string, value: string | number, seen: Set<string> | undefined): void {
    if (seen !== undefined) {
      const key = name.toLowerCase();
      if (!seen.has(key)) {
        seen.add(key);
        this.set(name, value);
        return;
      }
    }
    this.append(name, value);
  }

  /**
   * `[name, value]` pairs with names as first written; Set-Cookie gives one pair per cookie,
   * other repeated names one joined pair.
   *
   * @example
   * ```ts
   * for (const [name, value] of res.headers) console.log(`${name}: ${value}`);
   * ```
   */
  *entries(): IterableIterator<[string, string]> {
    for (const [key, entry] of this.#map) {
      if (entry.values.length === 1 || key !== "set-cookie") {
        yield [
          entry.name,
          entry.values.length === 1 ? (entry.values[0] ?? "") : entry.values.join(", "),
        ];
      } else {
        for (const v of entry.values) yield [entry.name, v];
      }
    }
  }

  /** The pairs of {@link ResponseHeaders.entries}: `for (const [name, value] of res.headers)`. */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** Header lines for `writeHead` as `[name, value, name, value, ...]`, skipping `omit` names. */
  [kFlat](omit: ReadonlySet<string> | undefined): string[] {
    const flat: string[] = [];
    for (const [key, entry] of this.#map) {
      if (omit?.has(key)) continue;
      const { values } = entry;
      if (values.length === 1) flat.push(entry.name, values[0] ?? "");
      else if (key === "set-cookie") for (const v of values) flat.push(entry.name, v);
      else flat.push(entry.name, values.join(", "));
    }
    return flat;
  }
}

function checked(name: string, value: string | number): string {
  const text = typeof value === "number" ? String(value) : value;
  validateHeaderName(name);
  validateHeaderValue(name, text);
  return text;
}

function isWebHeaders(value: unknown): value is Headers {
  return typeof Headers === "function" && value instanceof Headers;
}

function isPairs(value: HeadersInit): value is Iterable<readonly [string, string]> {
  return typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === "function";
}
