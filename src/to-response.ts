/**
 * Return value -> Response: Flask's `make_response` rules in one function, plus the helpers
 * users call directly (`makeResponse`, `jsonify`, `redirect`). No I/O here.
 */
import { Readable } from "node:stream";
import { escapeHtml } from "./internal/escape.ts";
import { percentEncode, safeSet } from "./internal/percent-encode.ts";
import { isPlainObject } from "./internal/plain-object.ts";
import {
  type HeadersInit,
  isReadableStream,
  Response,
  type ResponseBody,
  ResponseHeaders,
} from "./response.ts";

const JSON_TYPE = "application/json";

/**
 * Turns what a view (or error handler, or hook) returned into a {@link Response}:
 *
 * | value | response |
 * | --- | --- |
 * | phial `Response` | as is |
 * | web `Response` | its status, headers (every Set-Cookie) and body stream |
 * | `string` | `text/html; charset=utf-8` |
 * | `Uint8Array` / `Buffer` | `application/octet-stream` |
 * | plain object (prototype `Object.prototype` or `null`), array, object with `toJSON` | JSON, `application/json` |
 * | Node `Readable`, web `ReadableStream` | streamed, `application/octet-stream` |
 * | async iterable, generator / iterator (checked before "plain object") | streamed, `text/html; charset=utf-8` |
 * | `[body, status]`, `[body, headers]`, `[body, status, headers]` | body as above, then status and headers applied |
 *
 * **Tuples vs JSON arrays.** A 2- or 3-element array is a tuple when its 2nd element is an
 * integer from 100 to 599; or, for 2 elements, when the 2nd is a `ResponseHeaders` or web
 * `Headers`, or a plain object while the 1st is not itself a plain object or array. Anything
 * else is a JSON array: `[{ a: 1 }, { b: 2 }]` is JSON, `["hi", { "X-A": "1" }]` a tuple, and
 * `[5, 200]` a tuple whose body is invalid (use `jsonify([5, 200])` for that list). A tuple's
 * status replaces the body's; its headers replace same-named ones (repeated names in a tuple
 * are all kept). Headers in a 3-tuple may be a record, `[name, value]` pairs, `ResponseHeaders`
 * or web `Headers`.
 *
 * `undefined`, `null`, numbers, booleans, functions and other class instances throw a
 * `TypeError` naming `endpoint` (the dispatcher answers 500). `defaultStatus` applies when the
 * value gives no status (error handlers pass the error's).
 *
 * @example
 * ```ts
 * toResponse({ id: 1 }, "user").contentType;        // "application/json"
 * toResponse(["Created", 201], "create").status;    // 201
 * toResponse(undefined, "index");                   // throws TypeError: The view function for "index" ...
 * ```
 */
export function toResponse(value: unknown, endpoint: string, defaultStatus = 200): Response {
  return convert(value, endpoint, defaultStatus);
}

/** `toResponse` for a view (`endpoint` given) or for `makeResponse` (`undefined`). */
function convert(value: unknown, endpoint: string | undefined, defaultStatus: number): Response {
  if (value instanceof Response) return value;
  if (Array.isArray(value) && isTuple(value)) return fromTuple(value, endpoint, defaultStatus);
  const response = fromBody(value, defaultStatus);
  if (response === undefined) throw invalidValue(endpoint, value, "");
  return response;
}

/**
 * Builds a response the way a view's return value would be, as Flask's `make_response`: no
 * arguments give an empty 200, one argument is read as a handler's return value, several as a
 * tuple `(body, status)`, `(body, headers)` or `(body, status, headers)`. Useful to get a
 * `Response` to modify (e.g. to set a cookie) from a plain value.
 *
 * @example
 * ```ts
 * const res = makeResponse({ ok: true }, 201);
 * res.setCookie("seen", "1");
 * return res;
 * ```
 */
export function makeResponse(): Response;
export function makeResponse(value: unknown): Response;
export function makeResponse(body: unknown, status: number, headers?: HeadersInit): Response;
export function makeResponse(body: unknown, headers: HeadersInit): Response;
export function makeResponse(...args: unknown[]): Response {
  if (args.length === 0) return new Response("");
  if (args.length === 1) return convert(args[0], undefined, 200);
  if (args.length > 3) throw new TypeError("makeResponse() takes at most (body, status, headers).");
  return fromTuple(args, undefined, 200);
}

/**
 * A JSON response for any JSON-serialisable value, primitives and `null` included (unlike
 * return values, where a bare number is an error). `undefined` becomes `null`.
 *
 * @example
 * ```ts
 * app.get("/count", () => jsonify(42));
 * app.post("/items", () => jsonify({ id: 7 }, 201));
 * ```
 */
export function jsonify(value: unknown, status = 200): Response {
  return jsonResponse(value, status);
}

/**
 * A redirect to `location` with a 3xx `status` (default 302). The Location header is
 * percent-encoded (CR, LF, spaces, quotes, backslashes, non-ASCII, ...) so it can never split
 * a header or smuggle markup; existing `%XX` escapes are kept. The small HTML body links to the
 * target, escaped, and only for http(s) or relative targets. This does not judge where the
 * target points: pass a `next` parameter through {@link safeNext} first.
 *
 * @example
 * ```ts
 * app.post("/login", () => redirect("/dashboard", 303));
 * ```
 */
export function redirect(location: string, status = 302): Response {
  if (!Number.isInteger(status) || status < 300 || status > 399) {
    throw new RangeError(`redirect() needs a 3xx status, got ${String(status)}.`);
  }
  const target = encodeLocation(location);
  const shown = escapeHtml(target);
  const link = isLinkable(target) ? `<a href="${shown}">${shown}</a>` : shown;
  const body =
    '<!doctype html>\n<html lang="en">\n<meta charset="utf-8">\n<title>Redirecting</title>\n' +
    `<h1>Redirecting</h1>\n<p>This page has moved to ${link}.</p>\n`;
  return new Response(body, {
    status,
    headers: { Location: target, "Content-Type": "text/html; charset=utf-8" },
  });
}

// RFC 3986 unreserved + reserved characters: what may stay as it is in a URI.
const URL_SAFE = safeSet(
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=",
);

/** Percent-encodes every byte outside the URL-safe set, keeping valid `%XX` escapes. */
function encodeLocation(location: string): string {
  return percentEncode(location, URL_SAFE, true);
}

/** Whether a (percent-encoded) target is safe to make clickable: relative, http or https. */
function isLinkable(target: string): boolean {
  // A scheme is whatever precedes the first ":" when no "/", "?" or "#" comes before it.
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) return true;
    if (c === 0x3a) {
      const scheme = target.slice(0, i).toLowerCase();
      return scheme === "http" || scheme === "https";
    }
  }
  return true;
}

/**
 * The dispatcher's shortcut for the commonest return value: the JSON text of a plain object or
 * of an array that is not a tuple, exactly as {@link toResponse} would send it with
 * `application/json`; `undefined` for any other value, which then goes through `toResponse`.
 *
 * @example
 * ```ts
 * jsonText({ id: 1 });      // '{"id":1}'
 * jsonText(["Created", 201]); // undefined (a tuple)
 * ```
 */
export function jsonText(value: unknown): string | undefined {
  if (Array.isArray(value)) return isTuple(value) ? undefined : JSON.stringify(value);
  // The same order as fromBody: an object literal implementing iteration is a stream.
  if (!isPlainObject(value) || Symbol.asyncIterator in value || isIterator(value)) return undefined;
  return JSON.stringify(value) ?? "null";
}

function jsonResponse(value: unknown, status: number): Response {
  // JSON.stringify gives undefined for undefined and for toJSON() returning undefined.
  const text = JSON.stringify(value) ?? "null";
  return new Response(text, { status, headers: { "Content-Type": JSON_TYPE } });
}

/**
 * The response for a value that is not a tuple, or `undefined` when it is not a valid body.
 * The default Content-Type of each kind comes from the `Response` constructor.
 */
function fromBody(value: unknown, status: number): Response | undefined {
  if (typeof value === "string") return new Response(value, { status });
  if (value === null || typeof value !== "object") return undefined;
  if (value instanceof Response) return value;
  if (isWebResponse(value)) return fromWebResponse(value);
  if (Array.isArray(value)) return jsonResponse(value, status);
  if (value instanceof Uint8Array || value instanceof Readable || isReadableStream(value)) {
    return new Response(value, { status });
  }
  // Before the plain-object test: an object literal implementing the iteration protocols is a
  // stream its author wrote on purpose, and JSON would send "{}".
  if (Symbol.asyncIterator in value || isIterator(value)) {
    return new Response(value as ResponseBody, { status });
  }
  if (isPlainObject(value)) return jsonResponse(value, status);
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return jsonResponse(value, status);
  }
  return undefined;
}

/** Whether a 2- or 3-element array is a tuple; see the table on {@link toResponse}. */
function isTuple(value: readonly unknown[]): boolean {
  if (value.length !== 2 && value.length !== 3) return false;
  const second = value[1];
  if (isStatus(second)) return true;
  if (value.length !== 2) return false;
  if (second instanceof ResponseHeaders || isWebHeaders(second)) return true;
  const first = value[0];
  return isPlainObject(second) && !Array.isArray(first) && !isPlainObject(first);
}

function fromTuple(
  tuple: readonly unknown[],
  endpoint: string | undefined,
  defaultStatus: number,
): Response {
  const [body, second, third] = tuple;
  let status: number | undefined;
  let headers: unknown;
  if (typeof second === "number") {
    if (!isStatus(second)) {
      throw new TypeError(
        `${subject(endpoint)} gave the invalid status ${second}; use an integer from 100 to 599.`,
      );
    }
    status = second;
    headers = third;
  } else if (tuple.length === 3) {
    throw new TypeError(
      `${subject(endpoint)} gave a 3-element tuple whose status is ${describe(second)}; ` +
        "use [body, status, headers].",
    );
  } else {
    headers = second;
  }
  // The body of a tuple is never itself a tuple: an array there is JSON.
  const response = fromBody(body, status ?? defaultStatus);
  if (response === undefined) throw invalidValue(endpoint, body, "a tuple whose body is ");
  if (status !== undefined) response.status = status;
  if (headers !== undefined) {
    if (!isHeadersInit(headers)) {
      throw new TypeError(
        `${subject(endpoint)} gave a tuple whose headers are ${describe(headers)}; use a record, ` +
          "[name, value] pairs, ResponseHeaders or Headers.",
      );
    }
    response.headers.extend(headers);
  }
  return response;
}

function isStatus(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 100 && value <= 599;
}

function isHeadersInit(value: unknown): value is HeadersInit {
  return (
    value instanceof ResponseHeaders ||
    isWebHeaders(value) ||
    Array.isArray(value) ||
    isPlainObject(value)
  );
}

function isIterator(value: object): value is Iterator<unknown> & Iterable<unknown> {
  return Symbol.iterator in value && typeof (value as { next?: unknown }).next === "function";
}

function isWebHeaders(value: unknown): value is Headers {
  return typeof Headers === "function" && value instanceof Headers;
}

function isWebResponse(value: unknown): value is globalThis.Response {
  return typeof globalThis.Response === "function" && value instanceof globalThis.Response;
}

function fromWebResponse(web: globalThis.Response): Response {
  // Response.error() has status 0: the constructor's RangeError makes that a 500.
  return new Response(web.body as ReadableStream<Uint8Array> | null, {
    status: web.status,
    headers: web.headers,
  });
}

function subject(endpoint: string | undefined): string {
  return endpoint === undefined ? "makeResponse()" : `The view function for "${endpoint}"`;
}

function invalidValue(endpoint: string | undefined, value: unknown, prefix: string): TypeError {
  let hint = "";
  if (value === undefined) hint = " (is a `return` missing?)";
  else if (typeof value === "function") hint = " (did you mean to call it?)";
  else if (value instanceof Promise) hint = " (is an `await` missing?)";
  return new TypeError(
    `${subject(endpoint)} did not return a valid response: it returned ${prefix}${describe(value)}${hint}. ` +
      "Return a string, an object or array (sent as JSON), a Uint8Array, a stream or generator, " +
      "a Response, or a tuple such as [body, status] or [body, status, headers].",
  );
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  switch (typeof value) {
    case "number":
    case "bigint":
      return `the number ${String(value)}`;
    case "boolean":
      return `the boolean ${String(value)}`;
    case "symbol":
      return "a symbol";
    case "function":
      return `a function${value.name ? ` (${value.name})` : ""}`;
    case "string":
      return "a string";
    default: {
      const ctor: unknown = (value as { constructor?: unknown }).constructor;
      return typeof ctor === "function" && ctor.name ? `an instance of ${ctor.name}` : "an object";
    }
  }
}
