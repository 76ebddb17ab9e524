import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import { parse as parseCookies } from "cookie";
import { type MediaType, parseMediaType } from "./body.ts";
import { SetupError } from "./errors.ts";
import { finishUrl, type UrlForOptions } from "./external-url.ts";
import { type FlashedMessage, type FlashOptions, flashedMessagesOf, flashTo } from "./flash.ts";
import { type MultiDict, parseUrlEncoded } from "./internal/multidict.ts";
import { type Forwarded, forwarded, trustNone } from "./internal/proxy.ts";
import { splitAbsolute } from "./internal/request-target.ts";
import { isThenable } from "./internal/thenable.ts";
import { RequestBody } from "./request-body.ts";
import type {
  AfterThisRequest,
  RequestOwner,
  TemplateRef,
  TemplateRenderer,
} from "./request-owner.ts";
import { NullSession, type Session } from "./session.ts";
import type { UploadedFile } from "./uploads.ts";

export type { AfterThisRequest, RequestOwner, TemplateRef, TemplateRenderer };

/**
 * The incoming request, handed to every handler. `params` is typed from the route's path literal.
 * Everything costly (query, cookies, URL, signal, body) is computed on first use.
 *
 * @example
 * ```ts
 * app.post("/users/<int:id>/notes", async (req) => {
 *   const note = await req.json();
 *   return [{ user: req.params.id, note, page: req.query.get("page") }, 201];
 * });
 * ```
 */
export class Request<P = Record<string, unknown>> {
  /** Node's request object, for anything phial does not wrap. */
  readonly raw: IncomingMessage;
  /** Upper-case method, e.g. `"GET"`. */
  readonly method: string;
  /** Route parameters, converted by their converters (`<int:id>` gives a number); a shared frozen `{}` for routes without any. */
  params: P;
  /** The endpoint of the matched route, or `null` when nothing matched (404, 405). */
  endpoint: string | null = null;
  /**
   * The dotted name of the blueprint that owns the request (`"api.v1"`): the matched route's, or
   * for an unmatched URL the deepest blueprint whose prefix covers it; `null` for the app's own.
   */
  blueprint: string | null = null;
  /** The path as the client sent it: still percent-encoded, without query or fragment. */
  readonly rawPath: string;
  /** The query string without `?`, still encoded. */
  readonly rawQuery: string;

  readonly #owner: RequestOwner;
  readonly #res: ServerResponse;
  #path: string | undefined;
  #query: MultiDict | undefined;
  #cookies: Record<string, string | undefined> | undefined;
  #body: RequestBody | undefined;
  #media: MediaType | null | undefined;
  #controller: AbortController | undefined;
  #g: Record<string, unknown> | undefined;
  #session: Session | undefined;
  #proxied: Forwarded | undefined;
  #targetHost: string | undefined;
  /** @internal Set when a body limit refused the body mid-way, so the connection must close. */
  bodyRefused = false;
  /** @internal Functions queued by {@link afterThisRequest}. */
  afterThis: AfterThisRequest[] | undefined;

  /**
   * @hidden phial builds one per request; handlers receive it. Kept in the published types (not
   * `@internal`) so the class has no public no-argument constructor there.
   */
  constructor(raw: IncomingMessage, res: ServerResponse, owner: RequestOwner) {
    this.raw = raw;
    this.#res = res;
    this.#owner = owner;
    this.method = raw.method ?? "GET";
    // The one place the request target is cut up: fragment dropped, query split off, and an
    // absolute-form target ("http://host/p", sent to proxies) reduced to its path.
    let target = raw.url ?? "/";
    const hash = target.indexOf("#");
    if (hash !== -1) target = target.slice(0, hash);
    const q = target.indexOf("?");
    const path = q === -1 ? target : target.slice(0, q);
    if (path.charCodeAt(0) === 47 /* "/" */) this.rawPath = path;
    else {
      const absolute = splitAbsolute(path);
      this.rawPath = absolute.path;
      this.#targetHost = absolute.host;
    }
    this.rawQuery = q === -1 ? "" : target.slice(q + 1);
    this.params = EMPTY_PARAMS as P;
  }

  /**
   * The decoded path, e.g. `/café` for `/caf%C3%A9`: each escape decoded once, so it is exactly
   * the text routing matched (a `%2F` shows as `/`). Malformed escapes are answered 400 before any
   * `beforeRequest` hook; the afterRequest hooks and error handlers of that 400 get the raw path.
   */
  get path(): string {
    if (this.#path === undefined) {
      try {
        this.#path = decodeURIComponent(this.rawPath);
      } catch {
        this.#path = this.rawPath;
      }
    }
    return this.#path;
  }

  /** Request headers, lower-case names, as Node parsed them. */
  get headers(): IncomingHttpHeaders {
    return this.raw.headers;
  }

  /** The query string as a multi-value map; `get` gives the first value or `null`. */
  get query(): MultiDict {
    this.#query ??= parseUrlEncoded(this.rawQuery, this.#owner.config.maxQueryParams, "query");
    return this.#query;
  }

  /** Cookies sent by the client, as a record with no prototype. */
  get cookies(): Record<string, string | undefined> {
    if (this.#cookies === undefined) {
      const header = this.raw.headers.cookie;
      this.#cookies = header ? parseCookies(header) : Object.create(null);
    }
    return this.#cookies as Record<string, string | undefined>;
  }

  /**
   * The client's address: the socket's peer, or, through proxies `config.trustProxy` trusts,
   * the right-most address in `X-Forwarded-For` that is not a trusted proxy.
   */
  get ip(): string {
    return this.#forwarded().ip;
  }

  /**
   * The Host header (or HTTP/2 `:authority`), including any port; `X-Forwarded-Host` instead
   * when `config.trustProxy` trusts the proxy that sent it. For an absolute-form target
   * (`GET http://host/p`) it is the target's host, not the Host header, as RFC 9112 requires of
   * servers; so `config.trustedHosts` checks the host a proxy in front would have used.
   */
  get host(): string {
    const forwardedHost = this.#forwarded().host;
    if (forwardedHost !== undefined) return forwardedHost;
    if (this.#targetHost !== undefined) return this.#targetHost;
    const h = this.raw.headers;
    return h.host ?? (h[":authority"] as string | undefined) ?? "";
  }

  /**
   * `"https"` on a TLS socket, otherwise `"http"`; `X-Forwarded-Proto` instead when
   * `config.trustProxy` trusts the proxy that sent it.
   */
  get protocol(): "http" | "https" {
    const proto = this.#forwarded().proto;
    if (proto === "https" || proto === "http") return proto;
    return (this.raw.socket as Partial<TLSSocket>).encrypted ? "https" : "http";
  }

  #forwarded(): Forwarded {
    this.#proxied ??= forwarded(this.raw, this.#owner.proxyTrust ?? trustNone);
    return this.#proxied;
  }

  /** The full URL: protocol, host, path and query, as the client sent them. */
  get url(): string {
    const query = this.rawQuery === "" ? "" : `?${this.rawQuery}`;
    return `${this.protocol}://${this.host}${this.rawPath}${query}`;
  }

  /**
   * Aborts when the client goes away before the response is complete (reason: an `AbortError`),
   * or when the route's `timeout` runs out (reason: the `HandlerTimeout` the client is answered).
   */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      const res = this.#res;
      if (res.closed && !res.writableFinished) controller.abort(clientGone());
      else
        res.once("close", () => {
          if (!res.writableFinished) controller.abort(clientGone());
        });
    }
    return this.#controller.signal;
  }

  /** @internal Aborts `signal` with `reason` (the route's timeout); later aborts change nothing. */
  abortSignal(reason: unknown): void {
    this.#controller ??= new AbortController();
    this.#controller.abort(reason);
  }

  /** A plain object for data that lives as long as this request (Flask's `g`). */
  get g(): Record<string, unknown> {
    this.#g ??= Object.create(null) as Record<string, unknown>;
    return this.#g;
  }

  /**
   * The session (Flask's `session`): Map-like, opened on first use through the app's session
   * interface. Without a session backend (no `config.secretKey`) it reads as empty and refuses
   * writes.
   * @example `req.session.set("visits", Number(req.session.get("visits") ?? 0) + 1);`
   */
  get session(): Session {
    this.#session ??= this.#openSession();
    return this.#session;
  }

  /** The first use of `session`: the `NullSession` when there is no interface or it opened none. */
  #openSession(): Session {
    const iface = this.#owner.sessionInterface;
    if (iface === null) return new NullSession();
    const opened = iface.open(this, this.#owner);
    if (isThenable(opened)) {
      opened.then(undefined, () => {});
      throw new SetupError(
        "The session interface opened the session asynchronously; give it `eager: true` so " +
          "phial awaits it before the beforeRequest hooks.",
      );
    }
    return opened ?? new NullSession();
  }

  /** @internal The session if something opened it, for the dispatcher to save. */
  get openedSession(): Session | undefined {
    // A NullSession has nothing to save, so reading it keeps the request on the fast path.
    return this.#session instanceof NullSession ? undefined : this.#session;
  }

  /** @internal Installs a session opened before the handler (interfaces with `eager: true`). */
  useSession(session: Session): void {
    this.#session = session;
  }

  /**
   * Stores a message for the next request to show (Flask's `flash`); needs sessions.
   * @example `req.flash("Saved.", "success");`
   */
  flash(message: string, category = "message"): void {
    flashTo(this.session, message, category);
  }

  /**
   * The flashed messages, taken out of the session; later calls in the same request return the
   * same list. `withCategories` gives `[category, message]` pairs; `categoryFilter` keeps some.
   * @example `req.getFlashedMessages({ withCategories: true }); // [["success", "Saved."]]`
   */
  getFlashedMessages(options: FlashOptions & { readonly withCategories: true }): FlashedMessage[];
  getFlashedMessages(options?: FlashOptions & { readonly withCategories?: false }): string[];
  getFlashedMessages(options?: FlashOptions): FlashedMessage[] | string[];
  getFlashedMessages(options?: FlashOptions): FlashedMessage[] | string[] {
    return flashedMessagesOf(this, options);
  }

  /** @internal The app serving this request (what `currentApp` returns). */
  get owner(): RequestOwner {
    return this.#owner;
  }

  /** The request's `Content-Type`, parsed once (`null` when absent); malformed is 415. */
  get mediaType(): MediaType | null {
    if (this.#media === undefined) this.#media = parseMediaType(this.raw.headers["content-type"]);
    return this.#media;
  }

  /**
   * The body as a stream, for uploads too large to buffer. Take it before any body reader, and
   * only once; the limits of the buffered readers do not apply to it.
   */
  get stream(): Readable {
    return this.#reader().stream();
  }

  /** The whole body as bytes, at most `config.maxContentLength` of them (413 above). */
  bytes(): Promise<Buffer> {
    return this.#reader().read();
  }

  /** The body decoded as text in its declared charset (UTF-8 by default); invalid bytes are 400. */
  async text(): Promise<string> {
    return this.#reader().text(this.mediaType);
  }

  /**
   * The body parsed as JSON. Other content types are 415; an empty body, bad JSON or invalid
   * UTF-8 is 400; keys that could pollute prototypes are 400.
   */
  json<T = unknown>(): Promise<T> {
    let media: MediaType | null;
    try {
      media = this.mediaType;
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#reader().json(media) as Promise<T>;
  }

  /**
   * The form's text fields as a multi-value map: an urlencoded body (limited by
   * `maxFormMemorySize` and `maxFormParts`, 413 above) or a `multipart/form-data` one (see
   * {@link files}). A request without a body gives an empty map; other types are 415.
   */
  async form(): Promise<MultiDict> {
    return this.#reader().form(this.mediaType);
  }

  /**
   * The uploaded files of a `multipart/form-data` body, by field name. One parse serves both
   * this and `form()`. Files are streamed to temporary files, removed once the response is
   * finished. Limits: the whole body `maxContentLength`, text fields `maxFormMemorySize`, parts
   * `maxFormParts` (413 above); a malformed body is 400. A request without a body, or an
   * urlencoded one, has no files (empty map); other types are 415.
   * @example `const photo = (await req.files()).get("photo"); await photo?.save("/srv/uploads/" + photo.filename);`
   */
  async files(): Promise<MultiDict<UploadedFile>> {
    return this.#reader().files(this.mediaType);
  }

  #reader(): RequestBody {
    this.#body ??= new RequestBody(this.raw, this.#res, this.#owner.config, () => {
      this.bodyRefused = true;
    });
    return this.#body;
  }

  /**
   * Builds a URL for an endpoint, as `app.urlFor`; `".name"` is an endpoint of this request's
   * blueprint (`"admin.name"` inside the `admin` blueprint). An external URL uses this request's
   * protocol, and its host unless `config.serverName` is set.
   * @example `req.urlFor(".show", { id: 7 }); // "/admin/show/7" inside the admin blueprint`
   */
  urlFor(
    endpoint: string,
    values?: Readonly<Record<string, unknown>>,
    options?: UrlForOptions,
  ): string {
    if (endpoint.startsWith(".")) {
      endpoint = this.blueprint === null ? endpoint.slice(1) : `${this.blueprint}${endpoint}`;
    }
    return finishUrl(this.#owner.urlFor(endpoint, values), this.#owner.config, options, this);
  }

  /**
   * Runs `fn` on this request's response before the app's `afterRequest` hooks, e.g. to set a
   * cookie from deep inside a handler.
   * @example `req.afterThisRequest((res) => { res.setCookie("seen", "1"); return res; });`
   */
  afterThisRequest(fn: AfterThisRequest): void {
    if (this.afterThis === undefined) this.afterThis = [fn];
    else this.afterThis.push(fn);
  }

  /**
   * Renders a template from the app's template folders with `request`, `session`, `g`,
   * `urlFor`, `config` and `getFlashedMessages` available; `context` wins on equal names.
   * Returns the HTML, so a handler can return it.
   * @example `app.get("/", (req) => req.renderTemplate("index.html", { posts }));`
   */
  renderTemplate(name: string, context?: Readonly<Record<string, unknown>>): string {
    return this.#templates().render(this, { name }, context);
  }

  /**
   * Renders a template given as a string, with the same globals as {@link renderTemplate}.
   * @example `req.renderTemplateString("Hello {{ name }}", { name: "Ada" }); // "Hello Ada"`
   */
  renderTemplateString(source: string, context?: Readonly<Record<string, unknown>>): string {
    return this.#templates().render(this, { source }, context);
  }

  #templates(): TemplateRenderer {
    const templates = this.#owner.templates;
    if (templates === undefined) {
      throw new SetupError(
        "This request's app has no template engine; create it with new Phial().",
      );
    }
    return templates;
  }
}

const EMPTY_PARAMS: Readonly<Record<string, unknown>> = Object.freeze({});

function clientGone(): Error {
  const err = new Error("The client closed the connection.");
  err.name = "AbortError";
  return err;
}
