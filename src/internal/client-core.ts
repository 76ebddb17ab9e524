import type { IncomingMessage, ServerResponse } from "node:http";
import http from "node:http";
import type { CookieTarget, ReadonlyCookieJar } from "./cookie-jar.ts";
import { CookieJar } from "./cookie-jar.ts";
import type { BodyOptions, ParamsInit } from "./request-encoding.ts";
import { encodeBody, withQuery } from "./request-encoding.ts";
import { TestResponse } from "./test-response.ts";

/**
 * A plain `node:http` request listener.
 *
 * @example
 * ```ts
 * const hello: RequestHandler = (_req, res) => res.end("hello");
 * ```
 */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Anything with a `node:http` request listener, such as a phial app.
 *
 * @example
 * ```ts
 * new TestClient({ handler: (_req, res) => res.end("ok") });
 * ```
 */
export interface ClientApp {
  /** The listener each request is handed to; read again on every request. */
  readonly handler: RequestHandler;
}

/**
 * The request listener of `app`, read on every request so that an app whose `handler` is a
 * getter (or is replaced) is always current, and called as a method so `this` is the app.
 *
 * @example
 * ```ts
 * http.createServer(listenerOf(app));
 * ```
 */
export function listenerOf(app: ClientApp | RequestHandler): RequestHandler {
  if (typeof app === "function") return app;
  return (req, res) => app.handler(req, res);
}

/**
 * Options of one request sent by a test client.
 *
 * @example
 * ```ts
 * await client.post("/login", { form: { user: "ada" }, headers: { "X-Requested-With": "test" } });
 * ```
 */
export interface RequestOptions extends BodyOptions {
  /** Appended to the path as a query string (after any `?...` already in it). */
  readonly query?: ParamsInit;
  /**
   * Request headers; they override the client's default headers, case-insensitively. A value of
   * `undefined` removes the header, defaults included (`{ host: undefined }` sends no Host).
   * An explicit `Cookie` header replaces the jar's cookies for this request.
   */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Follow redirects for this request (defaults to the client's `followRedirects`). */
  readonly followRedirects?: boolean;
}

/**
 * Options of a test client.
 *
 * @example
 * ```ts
 * new TestClient(app, { baseUrl: "https://example.test", followRedirects: true });
 * ```
 */
export interface ClientOptions {
  /** Scheme, host and port requests pretend to go to (default `http://localhost`). */
  readonly baseUrl?: string;
  /** Whether requests follow redirects unless they say otherwise (default false). */
  readonly followRedirects?: boolean;
  /** Headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * How a client reaches its server: the connection part of `http.request`'s options.
 *
 * @example
 * ```ts
 * const viaTcp: ConnectionOptions = { host: "127.0.0.1", port: 8080 };
 * ```
 */
export type ConnectionOptions = Pick<http.RequestOptions, "agent" | "host" | "port">;

/**
 * Redirects are followed at most this many hops; one more throws.
 *
 * @example
 * ```ts
 * assert.ok(res.history.length <= MAX_REDIRECTS);
 * ```
 */
export const MAX_REDIRECTS = 10;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Fetch's "request-body-header names", plus framing: they describe a body a rewrite drops.
const BODY_HEADERS = [
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-location",
  "transfer-encoding",
];

interface Outgoing {
  readonly method: string;
  readonly path: string;
  /** Lower-case name -> [name as given, value], or `undefined` for a removed header. */
  readonly headers: Map<string, [string, string | readonly string[]] | undefined>;
  readonly body: Buffer | undefined;
}

/** Path of a request target for cookie matching: no query, no fragment. */
function cookiePath(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

/**
 * The part shared by the in-process `TestClient` and the socket-backed client of the test
 * suite: options -> request, the cookie jar, redirects, reading responses. Subclasses only say
 * how to connect.
 *
 * @example
 * ```ts
 * class MyClient extends ClientCore {
 *   protected connection() { return { host: "127.0.0.1", port: 8080 }; }
 * }
 * ```
 */
export abstract class ClientCore {
  readonly #origin: string;
  readonly #host: string;
  readonly #hostname: string;
  readonly #secure: boolean;
  readonly #followRedirects: boolean;
  readonly #defaultHeaders: Readonly<Record<string, string>>;
  readonly #jar = new CookieJar();

  constructor(options: ClientOptions = {}) {
    const base = new URL(options.baseUrl ?? "http://localhost");
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new TypeError(`baseUrl must be http: or https:, got ${JSON.stringify(base.href)}`);
    }
    if (
      base.pathname !== "/" ||
      base.search !== "" ||
      base.hash !== "" ||
      base.username !== "" ||
      base.password !== ""
    ) {
      // Request paths are sent verbatim, so a base path could only be joined by guessing.
      throw new TypeError(`baseUrl must be an origin only, got ${JSON.stringify(base.href)}`);
    }
    this.#origin = base.origin;
    this.#host = base.host;
    this.#hostname = base.hostname.toLowerCase();
    this.#secure = base.protocol === "https:";
    this.#followRedirects = options.followRedirects ?? false;
    this.#defaultHeaders = { ...options.headers };
  }

  /** Scheme, host and port requests are addressed to, e.g. `http://localhost`. */
  get origin(): string {
    return this.#origin;
  }

  /** Cookies kept from `Set-Cookie` responses and {@link setCookie}; read-only. */
  get cookies(): ReadonlyCookieJar {
    return this.#jar;
  }

  /**
   * Puts a cookie in the jar as if the server had set it (host-only unless `domain` is given;
   * `path` defaults to `/`). Throws on a name, path or domain the `cookie` package rejects.
   */
  setCookie(name: string, value: string, options: { path?: string; domain?: string } = {}): void {
    this.#jar.set(name, value, this.#hostname, options);
  }

  /** Removes the cookies called `name` (only those with that path/domain when given). */
  deleteCookie(name: string, options: { path?: string; domain?: string } = {}): boolean {
    return this.#jar.delete(name, options);
  }

  /** The `Cookie` header the jar would send with a request to `path`, for session transactions. */
  protected cookieHeaderFor(path: string): string | undefined {
    return this.#jar.headerFor(this.#cookieTarget(path));
  }

  /** Stores `Set-Cookie` lines as if a response to `path` had carried them. */
  protected storeCookies(setCookieLines: readonly string[], path: string): void {
    this.#jar.storeFromResponse(setCookieLines, this.#cookieTarget(path));
  }

  /** The host requests are addressed to (`Host` header), for session transactions. */
  protected get host(): string {
    return this.#host;
  }

  /** The connection options handed to `http.request`. */
  protected abstract connection(): ConnectionOptions;

  /** Throws when the client can no longer send; called before every request. */
  protected abstract assertOpen(): void;

  /**
   * Sends a request and reads the whole response. `path` is sent exactly as given: no
   * normalisation, no `..` resolution, no re-encoding.
   */
  async open(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
    this.assertOpen();
    const follow = options.followRedirects ?? this.#followRedirects;
    let outgoing = this.#prepare(method, withQuery(path, options.query), options);
    const history: TestResponse[] = [];
    for (;;) {
      const response = await this.#send(outgoing, history.slice());
      const next = follow ? this.#redirectTarget(response) : undefined;
      if (next === undefined) return response;
      if (history.length >= MAX_REDIRECTS) {
        const chain = [...history, response].map((r) => r.path).join(" -> ");
        throw new Error(
          `Too many redirects: more than ${MAX_REDIRECTS} hops (${chain} -> ${next}). ` +
            "Pass followRedirects: false to inspect them.",
        );
      }
      history.push(response);
      outgoing = this.#redirected(outgoing, response.status, next);
    }
  }

  /** `GET path`. */
  get(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.open("GET", path, options);
  }

  /** `POST path`. */
  post(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.open("POST", path, options);
  }

  /** `PUT path`. */
  put(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.open("PUT", path, options);
  }

  /** `PATCH path`. */
  patch(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.open("PATCH", path, options);
  }

  /** `DELETE path`. */
  delete(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.open("DELETE", path, options);
  }

  /** `HEAD path`; the response has an empty body. */
  head(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.open("HEAD", path, options);
  }

  /** `OPTIONS path` (`"*"` is allowed). */
  options(path: string, options?: RequestOptions): Promise<TestResponse> {
    return this.open("OPTIONS", path, options);
  }

  #prepare(method: string, path: string, options: RequestOptions): Outgoing {
    const headers: Outgoing["headers"] = new Map();
    headers.set("host", ["Host", this.#host]);
    for (const [name, value] of Object.entries(this.#defaultHeaders)) {
      headers.set(name.toLowerCase(), [name, value]);
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      headers.set(name.toLowerCase(), value === undefined ? undefined : [name, value]);
    }
    const { body, type } = encodeBody(options);
    if (type !== undefined && !headers.has("content-type")) {
      headers.set("content-type", ["Content-Type", type]);
    }
    if (body !== undefined && !headers.has("content-length") && !headers.has("transfer-encoding")) {
      headers.set("content-length", ["Content-Length", String(body.length)]);
    }
    return { method: method.toUpperCase(), path, headers, body };
  }

  /** Where a followable redirect points (a same-origin target), or `undefined`. */
  #redirectTarget(response: TestResponse): string | undefined {
    if (!REDIRECT_STATUSES.has(response.status)) return undefined;
    const location = response.headers.get("location");
    if (location === null) return undefined;
    let resolved: URL;
    try {
      resolved = new URL(location, response.url);
    } catch {
      try {
        resolved = new URL(location, `${this.#origin}/`);
      } catch {
        return undefined;
      }
    }
    // Another origin is another server: the test client cannot reach it, so it stops there.
    if (resolved.origin !== this.#origin) return undefined;
    return resolved.pathname + resolved.search;
  }

  #redirected(previous: Outgoing, status: number, path: string): Outgoing {
    const toGet =
      status === 303 || ((status === 301 || status === 302) && previous.method === "POST");
    if (!toGet) return { ...previous, path, headers: new Map(previous.headers) };
    const headers = new Map(previous.headers);
    for (const name of BODY_HEADERS) headers.delete(name);
    const method = status === 303 && previous.method === "HEAD" ? "HEAD" : "GET";
    return { method, path, headers, body: undefined };
  }

  #send(outgoing: Outgoing, history: readonly TestResponse[]): Promise<TestResponse> {
    const headers: http.OutgoingHttpHeaders = {};
    for (const entry of outgoing.headers.values()) {
      if (entry) headers[entry[0]] = typeof entry[1] === "string" ? entry[1] : [...entry[1]];
    }
    if (!outgoing.headers.has("cookie")) {
      const cookie = this.#jar.headerFor(this.#cookieTarget(outgoing.path));
      if (cookie !== undefined) headers.Cookie = cookie;
    }
    return new Promise<TestResponse>((resolve, reject) => {
      const req = http.request({
        ...this.connection(),
        method: outgoing.method,
        path: outgoing.path,
        headers,
        setHost: false,
      });
      req.on("error", reject);
      req.on("response", (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("close", () => {
          if (!res.complete)
            reject(new Error(`${outgoing.method} ${outgoing.path}: response aborted`));
        });
        res.on("end", () => {
          this.#jar.storeFromResponse(setCookies(res), this.#cookieTarget(outgoing.path));
          resolve(
            new TestResponse({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? "",
              rawHeaders: res.rawHeaders,
              body: Buffer.concat(chunks),
              method: outgoing.method,
              origin: this.#origin,
              path: outgoing.path,
              history,
            }),
          );
        });
      });
      req.end(outgoing.body);
    });
  }

  #cookieTarget(path: string): CookieTarget {
    return { host: this.#hostname, path: cookiePath(path), secure: this.#secure };
  }
}

function setCookies(res: IncomingMessage): string[] {
  const value = res.headers["set-cookie"];
  return value === undefined ? [] : value;
}
