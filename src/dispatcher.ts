/**
 * The request lifecycle, step by step as in Flask:
 * match -> beforeRequest -> handler -> toResponse -> afterRequest -> write -> teardown,
 * over a frozen snapshot of the app. Apps without hooks take a synchronous fast path that
 * allocates no promise when the handler returns a plain value.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "./config.ts";
import { errorResponse } from "./error-page.ts";
import {
  BadRequest,
  HTTPError,
  InternalServerError,
  MethodNotAllowed,
  NotFound,
} from "./errors.ts";
import { prefersJson } from "./internal/accept.ts";
import type { Logger } from "./logger.ts";
import { Request, type RequestOwner } from "./request.ts";
import { Response, textLines, writeResponse, writeText } from "./response.ts";
import type { RouteMatch, RouteTable } from "./routing/table.ts";
import type {
  AfterRequestHook,
  BeforeRequestHook,
  ErrorHandler,
  TeardownHook,
} from "./scaffold.ts";
import { prepareFileResponse } from "./static.ts";
import { jsonText, redirect, toResponse } from "./to-response.ts";

/** What the route table stores for each route. */
export interface RouteEntry {
  readonly endpoint: string;
  /** Called with a request whose params this route's own pattern produced. */
  readonly handler: (req: Request) => unknown;
}

/** The frozen app state a dispatcher serves. Hook lists are in registration order. */
export interface DispatchState {
  readonly owner: RequestOwner;
  readonly config: Config;
  readonly table: RouteTable<RouteEntry>;
  readonly beforeRequest: readonly BeforeRequestHook[];
  readonly afterRequest: readonly AfterRequestHook[];
  readonly teardownRequest: readonly TeardownHook[];
  readonly errorHandlers: ReadonlyMap<unknown, ErrorHandler<never>>;
  readonly logger: Logger;
}

/** What a handler produced before the lifecycle took over: a value, a promise, or a throw. */
type Outcome = { readonly value: unknown } | { readonly error: unknown };

const NO_ENDPOINT = "(no endpoint)";
const BAD_PATH: RouteMatch<RouteEntry> = { type: "bad_path" };

/**
 * Serves requests for one app. `listener` is the `(req, res)` function given to `node:http`.
 *
 * @example
 * ```ts
 * http.createServer(new Dispatcher(state).listener);
 * ```
 */
export class Dispatcher {
  /** Set by `app.close()`: responses then carry `Connection: close`. */
  closing = false;
  readonly #s: DispatchState;
  readonly #noHooks: boolean;
  readonly #after: readonly AfterRequestHook[];
  readonly #teardown: readonly TeardownHook[];
  /** The default 404 pages, prebuilt when nothing (hook or error handler) could change them. */
  readonly #notFound: { html: FixedPage; json: FixedPage } | null;

  constructor(state: DispatchState) {
    this.#s = state;
    this.#noHooks = state.beforeRequest.length === 0 && state.afterRequest.length === 0;
    const plain404 =
      state.teardownRequest.length === 0 &&
      findHandler(state.errorHandlers, new NotFound()) === undefined;
    this.#notFound = plain404 ? { html: fixedPage(false), json: fixedPage(true) } : null;
    // Flask runs after/teardown hooks last-registered first.
    this.#after = [...state.afterRequest].reverse();
    this.#teardown = [...state.teardownRequest].reverse();
  }

  /** The `node:http` request listener. */
  readonly listener = (raw: IncomingMessage, res: ServerResponse): void => {
    const req = new Request(raw, res, this.#s.owner);
    const match = this.#match(req);
    if (this.#noHooks) {
      // Fast path: with no hooks, a handler's value needs no lifecycle promise at all.
      if (match.type === "found") {
        let value: unknown;
        try {
          value = match.value.handler(req);
        } catch (error) {
          this.#run(req, res, match, { error });
          return;
        }
        if (isThenable(value)) {
          Promise.resolve(value).then(
            (settled) => this.#settle(req, res, match, settled),
            (error: unknown) => this.#run(req, res, match, { error }),
          );
        } else {
          this.#settle(req, res, match, value);
        }
        return;
      }
      if (match.type === "not_found" && this.#notFound !== null) {
        const page = prefersJson(req.headers.accept) ? this.#notFound.json : this.#notFound.html;
        this.#writeText(req, res, 404, page.lines, page.body);
        return;
      }
    }
    this.#run(req, res, match, undefined);
  };

  /** The fast path's second half: a handler's settled value, written without a lifecycle. */
  #settle(req: Request, res: ServerResponse, match: RouteMatch<RouteEntry>, value: unknown): void {
    if (req.afterThis !== undefined) {
      this.#run(req, res, match, { value });
      return;
    }
    let lines: readonly string[] = HTML_LINES;
    let text = typeof value === "string" ? value : undefined;
    if (text === undefined) {
      try {
        text = jsonText(value);
      } catch (error) {
        // JSON.stringify threw (a cycle, a BigInt): the error handlers decide the answer.
        this.#run(req, res, match, { error });
        return;
      }
      lines = JSON_LINES;
    }
    if (text !== undefined) {
      this.#writeText(req, res, 200, lines, text);
      if (this.#teardown.length > 0) this.#teardownAll(req, null).catch(this.#fatal);
      return;
    }
    let response: Response;
    try {
      response = toResponse(value, req.endpoint ?? NO_ENDPOINT);
    } catch (error) {
      this.#run(req, res, match, { error });
      return;
    }
    const written = this.#write(req, res, response, null);
    if (written !== undefined) written.catch(this.#fatal);
  }

  /**
   * Step 1: look the request's path up. The table decodes each segment once and reports
   * malformed escapes; a target that is not a path at all is refused the same way.
   */
  #match(req: Request): RouteMatch<RouteEntry> {
    const match: RouteMatch<RouteEntry> =
      req.rawPath.charCodeAt(0) === 47 /* "/" */
        ? this.#s.table.match(req.method, req.rawPath)
        : BAD_PATH;
    if (match.type === "found") {
      req.params = match.params;
      req.endpoint = match.value.endpoint;
    }
    return match;
  }

  #run(req: Request, res: ServerResponse, match: RouteMatch<RouteEntry>, outcome?: Outcome): void {
    this.#lifecycle(req, res, match, outcome).catch(this.#fatal);
  }

  /** Steps 2-6 for everything off the fast path. Never rejects except on a bug. */
  async #lifecycle(
    req: Request,
    res: ServerResponse,
    match: RouteMatch<RouteEntry>,
    outcome?: Outcome,
  ): Promise<void> {
    let response: Response;
    let error: unknown = null;
    try {
      response = await this.#fullDispatch(req, match, outcome);
    } catch (err) {
      error = err;
      response = await this.#handleException(req, err);
    }
    await this.#write(req, res, response, error);
  }

  /** beforeRequest hooks, then the handler (unless a hook answered), then afterRequest. */
  async #fullDispatch(
    req: Request,
    match: RouteMatch<RouteEntry>,
    outcome?: Outcome,
  ): Promise<Response> {
    let value: unknown;
    if (outcome !== undefined) {
      if ("error" in outcome) throw outcome.error;
      value = await outcome.value;
    } else {
      for (const hook of this.#s.beforeRequest) {
        value = await hook(req);
        if (value !== undefined) break;
      }
      if (value === undefined) value = await this.#dispatch(req, match);
    }
    return this.#processResponse(req, toResponse(value, req.endpoint ?? NO_ENDPOINT));
  }

  /** The handler, or the answer routing already decided (Flask's routing exceptions). */
  #dispatch(req: Request, match: RouteMatch<RouteEntry>): unknown {
    switch (match.type) {
      case "found":
        return match.value.handler(req);
      case "redirect": {
        // Collapse leading slashes so "//evil.example/" can never become a protocol-relative URL.
        const path = match.path.replace(/^\/+/, "/");
        return redirect(req.rawQuery === "" ? path : `${path}?${req.rawQuery}`, 308);
      }
      case "options":
        return new Response(null, { status: 200, headers: { Allow: match.allow.join(", ") } });
      case "method_not_allowed":
        throw new MethodNotAllowed(undefined, { headers: { Allow: match.allow.join(", ") } });
      case "bad_path":
        throw new BadRequest("The URL path is malformed (bad percent-encoding or not a path).");
      default:
        throw new NotFound();
    }
  }

  /** afterThisRequest functions in order, then afterRequest hooks last-registered first. */
  async #processResponse(req: Request, response: Response): Promise<Response> {
    let current = response;
    if (req.afterThis !== undefined) {
      for (const fn of req.afterThis) current = (await fn(current)) ?? current;
    }
    for (const hook of this.#after) current = (await hook(current, req)) ?? current;
    return current;
  }

  /** An error became the answer: its handler's response, or the default error page. */
  async #handleException(req: Request, err: unknown): Promise<Response> {
    try {
      const response = await this.#handleUserError(req, err);
      return await this.#processResponse(req, response);
    } catch (second) {
      this.#s.logger.error("An error handler or afterRequest hook failed:", second);
      return this.#errorPage(req, new InternalServerError(undefined, { cause: second }), second);
    }
  }

  async #handleUserError(req: Request, err: unknown): Promise<Response> {
    const handlers = this.#s.errorHandlers;
    const httpError =
      err instanceof HTTPError ? err : new InternalServerError(undefined, { cause: err });
    let handler = findHandler(handlers, err);
    let handled: unknown = err;
    if (handler === undefined && httpError !== err) {
      // Nothing handles the error itself: it is logged once and becomes a 500.
      this.#s.logger.error(`Unhandled error in ${req.method} ${req.rawPath}:`, err);
      handler = findHandler(handlers, httpError);
      handled = httpError;
    }
    if (handler === undefined) return this.#errorPage(req, httpError, err);
    const value = await (handler as ErrorHandler<unknown>)(handled, req);
    return toResponse(value, req.endpoint ?? NO_ENDPOINT, httpError.status);
  }

  /** The default error page; in debug it shows the original error's stack (escaped). */
  #errorPage(req: Request, error: HTTPError, cause: unknown): Response {
    const debugDetail =
      this.#s.config.debug && !(cause instanceof HTTPError) ? describe(cause) : undefined;
    return errorResponse(error, { json: prefersJson(req.headers.accept), debugDetail });
  }
  /** Step 6-7: write the response, then run teardown hooks once it is fully sent or failed. */
  #write(
    req: Request,
    res: ServerResponse,
    response: Response,
    error: unknown,
  ): Promise<void> | undefined {
    if (this.#mustClose(req)) response.headers.set("Connection", "close");
    const head = req.method === "HEAD";
    let pending: Promise<void> | undefined;
    try {
      // File responses become 200/206/304/416 here, after the hooks, from the request's headers.
      pending = writeResponse(res, prepareFileResponse(response, req, this.#s.config), head);
    } catch (invalid) {
      // Nothing was written yet (bad header name or value): answer a plain 500 instead.
      this.#s.logger.error(`Invalid response for ${req.method} ${req.rawPath}:`, invalid);
      error ??= invalid;
      pending = writeResponse(res, this.#errorPage(req, new InternalServerError(), invalid), head);
    }
    if (pending === undefined) {
      if (this.#teardown.length > 0) return this.#teardownAll(req, error);
      return undefined;
    }
    return pending.then(
      () => this.#teardownAll(req, error),
      (streamError: unknown) => {
        this.#s.logger.error(
          `The response stream of ${req.method} ${req.rawPath} failed:`,
          streamError,
        );
        return this.#teardownAll(req, error ?? streamError);
      },
    );
  }

  /**
   * The fast paths' writer. Its header lines are constants, so only a response already started
   * elsewhere can make it throw: that is logged, never thrown into Node's request event (where it
   * would be an uncaught exception) or out of a then() (an unhandled rejection).
   */
  #writeText(
    req: Request,
    res: ServerResponse,
    status: number,
    lines: readonly string[],
    body: string,
  ): void {
    try {
      writeText(res, status, lines, body, req.method === "HEAD", this.#mustClose(req));
    } catch (err) {
      this.#fatal(err);
    }
  }

  /** Whether this answer ends the connection: the app is closing, or a body was left unread. */
  #mustClose(req: Request): boolean {
    return (this.closing && req.raw.httpVersionMajor < 2) || unreadBody(req, this.#s.config);
  }

  async #teardownAll(req: Request, error: unknown): Promise<void> {
    for (const hook of this.#teardown) {
      try {
        await hook(error, req);
      } catch (err) {
        this.#s.logger.error("A teardownRequest hook failed:", err);
      }
    }
  }

  // Only a bug in phial itself gets here; keep the process alive and say so.
  readonly #fatal = (err: unknown): void => {
    this.#s.logger.error("phial failed to answer a request (this is a bug in phial):", err);
  };
}

/** A prebuilt error page: header lines without framing, and the body. */
interface FixedPage {
  readonly lines: readonly string[];
  readonly body: string;
}

function fixedPage(json: boolean): FixedPage {
  const response = errorResponse(new NotFound(), { json });
  return { lines: textLines(response), body: response.body as string };
}

const HTML_LINES: readonly string[] = ["Content-Type", "text/html; charset=utf-8"];
const JSON_LINES: readonly string[] = ["Content-Type", "application/json"];

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** The handler for an error: by its status first, then by the nearest class in its chain. */
function findHandler(
  handlers: ReadonlyMap<unknown, ErrorHandler<never>>,
  err: unknown,
): ErrorHandler<never> | undefined {
  if (handlers.size === 0) return undefined;
  if (err instanceof HTTPError) {
    const byStatus = handlers.get(err.status);
    if (byStatus !== undefined) return byStatus;
  }
  if (err === null || typeof err !== "object") return undefined;
  for (
    let proto = Object.getPrototypeOf(err);
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    const byClass = handlers.get(proto.constructor);
    if (byClass !== undefined) return byClass;
  }
  return undefined;
}

/**
 * A body the client is still sending and phial will not read (refused by a limit, or too big or
 * unbounded to drain) must not be read to its end: close the connection after answering.
 */
function unreadBody(req: Request, config: Config): boolean {
  const raw = req.raw;
  // HTTP/2 forbids the Connection header; an unread body there only costs its own stream.
  if (raw.httpVersionMajor >= 2) return false;
  if (req.bodyRefused) return true;
  if (raw.complete) return false;
  const length = raw.headers["content-length"];
  if (length !== undefined) return Number(length) > config.maxContentLength;
  return raw.headers["transfer-encoding"] !== undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
