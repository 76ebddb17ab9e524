/**
 * Validators and the conditional/range decision for file responses (RFC 9110 sections 13 and
 * 14), as pure functions over header strings: which of 200, 206, 304 or 416 a request gets.
 */
import type { IncomingHttpHeaders } from "node:http";

/**
 * What to answer for a file, decided by {@link decideFileAnswer}.
 *
 * @example
 * ```ts
 * const answer: FileAnswer = { kind: "partial", start: 0, end: 99 };
 * ```
 */
export type FileAnswer =
  | { readonly kind: "full" }
  | { readonly kind: "not_modified" }
  | { readonly kind: "partial"; readonly start: number; readonly end: number }
  | { readonly kind: "unsatisfiable" };

/** The validators the response carries when it is written: hooks may have changed them. */
export interface Validators {
  /** The ETag header, e.g. `"1f4-18c2a1b3e00"`, or `null`. */
  readonly etag: string | null;
  /** The Last-Modified header (an HTTP date), or `null`. */
  readonly lastModified: string | null;
}

const FULL: FileAnswer = { kind: "full" };
const NOT_MODIFIED: FileAnswer = { kind: "not_modified" };
const UNSATISFIABLE: FileAnswer = { kind: "unsatisfiable" };

/**
 * The strong ETag phial gives a file: size and modification time (ms) in hex. Strong, because
 * `If-Range` only accepts strong validators and download managers resume with it; size and
 * mtime change together with the content in every practical case (as nginx's ETag assumes).
 *
 * @example
 * ```ts
 * fileEtag(500, 1700000000000); // "\"1f4-18bcfe56800\""
 * ```
 */
export function fileEtag(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

/**
 * An HTTP date (IMF-fixdate) for a time in ms, truncated to the second as the header is.
 *
 * @example
 * ```ts
 * httpDate(0); // "Thu, 01 Jan 1970 00:00:00 GMT"
 * ```
 */
export function httpDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString();
}

/**
 * The ETag header for a user-chosen tag: kept as it is when already an entity-tag (`"v1"` or
 * `W/"v1"`), else quoted. Throws a `TypeError` for text that cannot be an entity-tag.
 *
 * @example
 * ```ts
 * etagHeader("v1");      // "\"v1\""
 * etagHeader('W/"v1"');  // "W/\"v1\""
 * ```
 */
export function etagHeader(tag: string): string {
  const opaque = tag.startsWith("W/") ? tag.slice(2) : tag;
  if (opaque.length >= 2 && opaque.startsWith('"') && opaque.endsWith('"')) {
    if (isEtagText(opaque.slice(1, -1))) return tag;
  } else if (isEtagText(tag)) {
    return `"${tag}"`;
  }
  throw new TypeError(`${JSON.stringify(tag)} cannot be an ETag: use printable ASCII without '"'.`);
}

function isEtagText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c === 0x22 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Chooses the answer for a file of `size` bytes, in RFC 9110's order:
 *
 * 1. Only GET and HEAD are conditional here; other methods get the full file.
 * 2. `If-None-Match` (weak comparison, `*` matches any file) -> 304; when it is present,
 *    `If-Modified-Since` is ignored.
 * 3. Otherwise `If-Modified-Since` -> 304 when the file is not newer (invalid dates ignored).
 * 4. `Range` on GET only: one `bytes=` range -> 206; unsatisfiable -> 416; several ranges, other
 *    units or malformed ranges are ignored (200 with the whole file, which RFC 9110 allows), so
 *    no request can make phial build a multipart answer. `If-Range` (an ETag compared strongly,
 *    or a date equal to Last-Modified) that does not hold also means the whole file.
 *
 * `If-Match` and `If-Unmodified-Since` are not evaluated (as Werkzeug's `send_file`).
 *
 * @example
 * ```ts
 * decideFileAnswer("GET", { range: "bytes=0-9" }, { etag: null, lastModified: null }, 100);
 * // { kind: "partial", start: 0, end: 9 }
 * ```
 */
export function decideFileAnswer(
  method: string,
  headers: IncomingHttpHeaders,
  validators: Validators,
  size: number,
): FileAnswer {
  if (method !== "GET" && method !== "HEAD") return FULL;
  const noneMatch = headers["if-none-match"];
  if (noneMatch !== undefined) {
    if (etagListMatches(noneMatch, validators.etag, false)) return NOT_MODIFIED;
  } else {
    const since = headers["if-modified-since"];
    if (since !== undefined && validators.lastModified !== null) {
      const limit = Date.parse(since);
      const modified = Date.parse(validators.lastModified);
      if (!Number.isNaN(limit) && !Number.isNaN(modified) && modified <= limit) {
        return NOT_MODIFIED;
      }
    }
  }
  const range = headers.range;
  if (method !== "GET" || range === undefined) return FULL;
  const ifRange = headers["if-range"];
  // Node joins repeated unknown headers into one string; an array never comes for If-Range.
  if (typeof ifRange === "string" && !ifRangeHolds(ifRange, validators)) return FULL;
  return parseRange(range, size);
}

/** Whether `If-Range` still describes the file, so the range may be sent. */
function ifRangeHolds(value: string, validators: Validators): boolean {
  const text = value.trim();
  if (text.startsWith('"') || text.startsWith("W/")) {
    return validators.etag !== null && etagListMatches(text, validators.etag, true);
  }
  if (validators.lastModified === null) return false;
  const date = Date.parse(text);
  return !Number.isNaN(date) && date === Date.parse(validators.lastModified);
}

/**
 * Whether a list of entity-tags (`"a", W/"b"` or `*`) holds `current`. Weak comparison ignores
 * `W/`; strong comparison needs both tags strong. A malformed list matches nothing.
 */
function etagListMatches(list: string, current: string | null, strong: boolean): boolean {
  if (list.trim() === "*") return true;
  if (current === null) return false;
  const currentWeak = current.startsWith("W/");
  if (strong && currentWeak) return false;
  const currentTag = currentWeak ? current.slice(2) : current;
  let i = 0;
  const n = list.length;
  while (i < n) {
    const c = list.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x2c /* , */) {
      i++;
      continue;
    }
    let weak = false;
    if (c === 0x57 /* W */ && list.charCodeAt(i + 1) === 0x2f /* / */) {
      weak = true;
      i += 2;
    }
    if (list.charCodeAt(i) !== 0x22 /* " */) return false;
    const close = list.indexOf('"', i + 1);
    if (close === -1) return false;
    if (list.slice(i, close + 1) === currentTag && !(strong && weak)) return true;
    i = close + 1;
  }
  return false;
}

/**
 * Reads a `Range` header for a file of `size` bytes: one satisfiable `bytes=` range -> partial
 * (end clamped to the file), one unsatisfiable range (first byte past the end, a zero suffix, an
 * empty file) -> unsatisfiable, anything else -> full. Stops at the second range, so a header
 * of thousands of ranges costs no more than two.
 *
 * @example
 * ```ts
 * parseRange("bytes=-10", 100); // { kind: "partial", start: 90, end: 99 }
 * parseRange("bytes=200-", 100); // { kind: "unsatisfiable" }
 * ```
 */
export function parseRange(header: string, size: number): FileAnswer {
  const eq = header.indexOf("=");
  if (eq === -1 || header.slice(0, eq).trim().toLowerCase() !== "bytes") return FULL;
  let spec: string | undefined;
  let from = eq + 1;
  while (from <= header.length) {
    let comma = header.indexOf(",", from);
    if (comma === -1) comma = header.length;
    const part = header.slice(from, comma).trim();
    if (part !== "") {
      if (spec !== undefined) return FULL;
      spec = part;
    }
    from = comma + 1;
  }
  if (spec === undefined) return FULL;
  const dash = spec.indexOf("-");
  if (dash === -1) return FULL;
  const first = spec.slice(0, dash);
  const last = spec.slice(dash + 1);
  if (first === "") {
    if (!isDigits(last)) return FULL;
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return UNSATISFIABLE;
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  if (!isDigits(first) || (last !== "" && !isDigits(last))) return FULL;
  const start = Number(first);
  const end = last === "" ? Number.POSITIVE_INFINITY : Number(last);
  if (end < start) return FULL;
  if (start >= size) return UNSATISFIABLE;
  return { kind: "partial", start, end: Math.min(end, size - 1) };
}

function isDigits(text: string): boolean {
  if (text === "") return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
