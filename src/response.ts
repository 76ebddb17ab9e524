/**
 * The response a handler builds. Writing it is response-write.ts's job, so that everything that
 * decides how bytes reach a `ServerResponse` sits in one file.
 */
import { Readable } from "node:stream";
import { type SerializeOptions, stringifySetCookie } from "cookie";
import { type HeadersInit, ResponseHeaders } from "./internal/headers.ts";

export { type HeadersInit, ResponseHeaders };

/**
 * What a {@link Response} can carry. Strings and bytes are sent with a Content-Length; the rest
 * are streamed with backpressure.
 *
 * @example
 * ```ts
 * const body: ResponseBody = (function* () { yield "a"; yield "b"; })();
 * ```
 */
export type ResponseBody =
  | string
  | Uint8Array
  | Readable
  | ReadableStream<Uint8Array>
  | AsyncIterable<string | Uint8Array>
  | Iterable<string | Uint8Array>
  | null;

/**
 * Cookie attributes, with the `cookie` package's names: `maxAge` (seconds), `expires`,
 * `domain`, `path`, `httpOnly`, `secure`, `sameSite`, `partitioned`, `priority`.
 *
 * @example
 * ```ts
 * const opts: CookieOptions = { maxAge: 3600, secure: true };
 * ```
 */
export type CookieOptions = SerializeOptions;

/**
 * Options of the {@link Response} constructor.
 *
 * @example
 * ```ts
 * const init: ResponseInit = { status: 201, headers: { Location: "/items/7" } };
 * ```
 */
export interface ResponseInit {
  /** HTTP status, default 200. */
  status?: number;
  /** Initial headers; a Content-Type here overrides the default for the body. */
  headers?: HeadersInit;
}

/**
 * An HTTP response: `status`, `headers` and `body`, all mutable until it is written. When
 * `init.headers` gives no Content-Type, one is chosen from the body as `toResponse` does:
 * strings and iterables/generators are `text/html; charset=utf-8`, bytes and streams
 * `application/octet-stream`, `null` none.
 *
 * @example
 * ```ts
 * const res = new Response("created", { status: 201, headers: { Location: "/items/7" } });
 * res.setCookie("seen", "1", { maxAge: 3600 });
 * ```
 */
export class Response {
  /** HTTP status code. */
  status: number;
  /** Response headers. */
  readonly headers: ResponseHeaders;
  /** The body; see {@link ResponseBody}. */
  body: ResponseBody;

  /**
   * Throws a `RangeError` unless the status (default 200) is a whole number from 200 to 999: a
   * 1xx status is an interim answer, not a response.
   */
  constructor(body: ResponseBody = null, init?: ResponseInit) {
    const status = init?.status ?? 200;
    assertStatus(status);
    this.status = status;
    this.body = body;
    this.headers = new ResponseHeaders(init?.headers);
    if (body !== null && !this.headers.has("content-type")) {
      this.headers.set("Content-Type", defaultContentType(body));
    }
  }

  /**
   * The full Content-Type (`"text/html; charset=utf-8"`), or `null`. Setting a `text/*` type
   * without a charset adds `charset=utf-8`, since browsers otherwise guess; `null` removes it.
   *
   * @example
   * ```ts
   * res.contentType = "text/plain"; // "text/plain; charset=utf-8"
   * ```
   */
  get contentType(): string | null {
    return this.headers.get("content-type");
  }

  set contentType(value: string | null) {
    if (value === null) {
      this.headers.delete("content-type");
      return;
    }
    const lower = value.toLowerCase();
    const text = lower.startsWith("text/") && !lower.includes("charset=");
    this.headers.set("Content-Type", text ? `${value}; charset=utf-8` : value);
  }

  /**
   * The media type without parameters, lowercased (`"text/html"`), as Flask's `mimetype`;
   * setting it behaves as setting {@link contentType}.
   *
   * @example
   * ```ts
   * res.mimetype = "application/xml";
   * ```
   */
  get mimetype(): string | null {
    const type = this.contentType;
    if (type === null) return null;
    const semi = type.indexOf(";");
    return (semi === -1 ? type : type.slice(0, semi)).trim().toLowerCase();
  }

  set mimetype(value: string | null) {
    this.contentType = value;
  }

  /**
   * Appends a Set-Cookie header serialized by the `cookie` package, which rejects invalid
   * names, values, paths and domains. Defaults follow phial's security rules: `Path=/`,
   * `HttpOnly` and `SameSite=Lax`; pass `httpOnly: false` or `sameSite: false` to drop them.
   *
   * @example
   * ```ts
   * res.setCookie("theme", "dark", { maxAge: 60 * 60 * 24 * 365, httpOnly: false });
   * ```
   */
  setCookie(name: string, value: string, options?: CookieOptions): this {
    const line = stringifySetCookie(name, value, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      ...options,
    });
    this.headers.append("Set-Cookie", line);
    return this;
  }

  /**
   * Tells the client to drop a cookie: an empty value with `Max-Age=0` and an expiry in 1970.
   * `path` and `domain` must match the ones the cookie was set with (`path` defaults to `/`);
   * pass `secure`/`partitioned` too for cookies that had them.
   *
   * @example
   * ```ts
   * res.deleteCookie("session", { path: "/" });
   * ```
   */
  deleteCookie(
    name: string,
    options?: Pick<
      CookieOptions,
      "path" | "domain" | "secure" | "sameSite" | "partitioned" | "httpOnly"
    >,
  ): this {
    const line = stringifySetCookie(name, "", {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      ...options,
      maxAge: 0,
      expires: new Date(0),
    });
    this.headers.append("Set-Cookie", line);
    return this;
  }
}

/**
 * Throws a `RangeError` unless `status` is one a final response can carry. Checked when a
 * response is built and again when it is written, since `status` stays mutable until then.
 *
 * @example
 * ```ts
 * assertStatus(response.status); // before anything goes out
 * ```
 */
export function assertStatus(status: number): void {
  // Three digits is what the status line can carry. A 1xx is an interim answer: sent as the
  // final one, it leaves the client waiting for a response that never comes.
  if (!Number.isInteger(status) || status < 200 || status > 999) {
    throw new RangeError(
      `A response status must be an integer from 200 to 999, got ${String(status)}; ` +
        "1xx statuses are interim answers, not responses.",
    );
  }
}

function defaultContentType(body: Exclude<ResponseBody, null>): string {
  if (typeof body === "string") return "text/html; charset=utf-8";
  if (body instanceof Uint8Array || body instanceof Readable || isReadableStream(body)) {
    return "application/octet-stream";
  }
  return "text/html; charset=utf-8";
}

/**
 * Whether `value` is a web `ReadableStream`: a body kind that `Readable` checks miss, converted
 * with `Readable.fromWeb` and cancelled rather than destroyed.
 *
 * @example
 * ```ts
 * if (isReadableStream(body)) body.cancel().catch(() => {});
 * ```
 */
export function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof ReadableStream === "function" && value instanceof ReadableStream;
}
