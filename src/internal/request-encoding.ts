/**
 * A scalar or list accepted in `query` and `form`; lists repeat the key.
 *
 * @example
 * ```ts
 * const tags: ParamValue = ["a", "b"]; // tag=a&tag=b
 * ```
 */
export type ParamValue = string | number | boolean | readonly (string | number | boolean)[];

/**
 * `query` and `form` input: a record (`undefined` entries skipped) or `URLSearchParams`.
 *
 * @example
 * ```ts
 * await client.get("/search", { query: { q: "phial", page: 2, draft: undefined } });
 * ```
 */
export type ParamsInit = Readonly<Record<string, ParamValue | undefined>> | URLSearchParams;

/**
 * The body of a test request: at most one of `json`, `form` and `body`.
 *
 * @example
 * ```ts
 * await client.put("/doc", { body: new Uint8Array([1, 2, 3]), headers: { "content-type": "x/y" } });
 * ```
 */
export interface BodyOptions {
  /** Sent as `JSON.stringify(json)` with `Content-Type: application/json`. */
  readonly json?: unknown;
  /** Sent URL-encoded with `Content-Type: application/x-www-form-urlencoded`. */
  readonly form?: ParamsInit;
  /** Sent as is; no `Content-Type` is added. */
  readonly body?: string | Uint8Array;
}

/** Query or form input as `URLSearchParams` (a copy; lists repeat the key). */
function toSearchParams(init: ParamsInit): URLSearchParams {
  if (init instanceof URLSearchParams) return new URLSearchParams(init);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(init)) {
    if (value === undefined) continue;
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) params.append(key, String(item));
  }
  return params;
}

/**
 * `path` with `query` appended, form-encoded, after any query already in it (and before a
 * fragment, which is kept so tests can send one). The path itself is left untouched.
 *
 * @example
 * ```ts
 * withQuery("/s?a=1", { b: [2, 3] }); // "/s?a=1&b=2&b=3"
 * ```
 */
export function withQuery(path: string, query: ParamsInit | undefined): string {
  const encoded = query === undefined ? "" : toSearchParams(query).toString();
  if (encoded === "") return path;
  const hash = path.indexOf("#");
  const head = hash === -1 ? path : path.slice(0, hash);
  const tail = hash === -1 ? "" : path.slice(hash);
  const sep = !head.includes("?") ? "?" : head.endsWith("?") || head.endsWith("&") ? "" : "&";
  return `${head}${sep}${encoded}${tail}`;
}

/**
 * Bytes and default content type of a request body; throws a `TypeError` when more than one
 * of `json`, `form` and `body` is given.
 *
 * @example
 * ```ts
 * encodeBody({ json: { a: 1 } }); // { body: <Buffer 7b ...>, type: "application/json" }
 * ```
 */
export function encodeBody(options: BodyOptions): { body?: Buffer; type?: string } {
  const given = [
    options.json !== undefined,
    options.form !== undefined,
    options.body !== undefined,
  ];
  if (given.filter(Boolean).length > 1) {
    throw new TypeError("Pass at most one of `json`, `form` and `body`.");
  }
  if (options.json !== undefined) {
    return { body: Buffer.from(JSON.stringify(options.json), "utf8"), type: "application/json" };
  }
  if (options.form !== undefined) {
    const encoded = toSearchParams(options.form).toString();
    return { body: Buffer.from(encoded, "utf8"), type: "application/x-www-form-urlencoded" };
  }
  if (typeof options.body === "string") return { body: Buffer.from(options.body, "utf8") };
  if (options.body !== undefined) return { body: Buffer.from(options.body) };
  return {};
}
