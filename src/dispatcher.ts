/**
 * The request lifecycle, step by step as in Flask:
 * match -> beforeRequest -> handler -> toResponse -> afterRequest -> save session -> write ->
 * teardown,
 * over a frozen snapshot of the app. Apps without hooks take a synchronous fast path that
 * allocates no promise when the handler returns a plain value.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { processResponse } from "./after-request.ts";
import { runInRequest } from "./context.ts";
import type { DispatchState, RouteEntry } from "./dispatch-state.ts";
import {
  errorPage,
  handleException,
  NO_ENDPOINT,
  streamFailed,
  writeFallback,
} from "./error-dispatch.ts";
import { prebuiltNotFound } from "./error-page.ts";
import { BadRequest, InternalServerError } from "./errors.ts";
import { prefersJson } from "./internal/accept.ts";
import { unreadBody } from "./internal/connection.ts";
import { hostAllowed } from "./internal/proxy.ts";
import { isThenable } from "./internal/thenable.ts";
import { Request } from "./request.ts";
import { logWhenDone } from "./request-log.ts";
import type { Response } from "./response.ts";
import { releaseUnsent, writeResponse, writeText } from "./response-write.ts";
import type { RouteMatch } from "./routing/table.ts";
import { MALFORMED_PATH, routingAnswer } from "./routing-answer.ts";
import { byDepth, type Scope, scopeForPath } from "./scope.ts";
import { openSessionEagerly, saveSession } from "./sessions.ts";
import { prepareFileResponse } from "./static.ts";
import { jsonText, toResponse } from "./to-response.ts";

/** What a handler produced before the lifecycle took over: a value, a promise, or a throw. */
type Outcome = { readonly value: unknown } | { readonly error: unknown };

const UNTRUSTED_HOST = "The Host header names a host this server does not serve.";
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
  readonly #root: Scope;
  /** Blueprint scopes with a prefix, deepest first, for requests that matched no route. */
  readonly #prefixed: readonly Scope[];
  /** The default 404 pages, served as they are where nothing could change them. */
  readonly #notFound = { html: prebuiltNotFound(false), json: prebuiltNotFound(true) };

  /**
   * Whether each request logs a line: decided once, when the app starts serving, because asking
   * the logger (which follows the live config) on every request cost about 1% of a fast request.
   */
  readonly #logRequests: boolean;
  /** `config.trustedHosts`: other Host values are answered 400; `null` accepts any. */
  readonly #hosts: readonly string[] | null;
  /** Whether the session interface must be opened (and awaited) before the hooks. */
  readonly #eagerSession: boolean;

  constructor(state: DispatchState) {
    this.#s = state;
    this.#eagerSession = state.owner.sessionInterface?.eager === true;
    this.#hosts = state.config.trustedHosts?.map((host) => host.toLowerCase()) ?? null;
    this.#logRequests = state.logger.isEnabled("info");
    for (const scope of state.scopes) scope.seal();
    this.#root = state.scopes[0] as Scope;
    this.#prefixed = byDepth(state.scopes);
  }

  /** The `node:http` request listener. */
  readonly listener = (raw: IncomingMessage, res: ServerResponse): void => {
    const req = new Request(raw, res, this.#s.owner);
    if (this.#logRequests) logWhenDone(this.#s.logger, req, res);
    const match = this.#match(req);
    let scope: Scope;
    if (match.type === "found") {
      scope = match.value.scope;
    } else if (this.#prefixed.length === 0) {
      scope = this.#root;
    } else {
      scope = scopeForPath(req.rawPath, this.#prefixed, this.#root);
      req.blueprint = scope.blueprint;
    }
    if (this.#s.contextLocals) runInRequest(req, this.#serve, res, match, scope);
    else this.#serve(req, res, match, scope);
  };

  readonly #serve = (
    req: Request,
    res: ServerResponse,
    match: RouteMatch<RouteEntry>,
    scope: Scope,
  ): void => {
    if (this.#hosts !== null && !hostAllowed(req.host, this.#hosts)) {
      this.#run(req, res, match, scope, { error: new BadRequest(UNTRUSTED_HOST) });
      return;
    }
    if (match.type === "bad_path") {
      // A path routing cannot decode has no canonical form, so no hook may judge it by another
      // reading (req.path would be the raw text): it is refused before them, like a bad Host.
      this.#run(req, res, match, scope, { error: new BadRequest(MALFORMED_PATH) });
      return;
    }
    if (scope.fast && !this.#eagerSession) {
      // Fast path: with no hooks, a handler's value needs no lifecycle promise at all.
      if (match.type === "found") {
        let value: unknown;
        try {
          value = match.value.handler(req);
        } catch (error) {
          this.#run(req, res, match, scope, { error });
          return;
        }
        if (isThenable(value)) {
          Promise.resolve(value).then(
            (settled) => this.#settle(req, res, match, scope, settled),
            (error: unknown) => this.#run(req, res, match, scope, { error }),
          );
        } else {
          this.#settle(req, res, match, scope, value);
        }
        return;
      }
      if (match.type === "not_found" && scope.plainNotFound) {
        const page = prefersJson(req.headers.accept) ? this.#notFound.json : this.#notFound.html;
        this.#writeText(req, res, 404, page.lines, page.body);
        return;
      }
    }
    this.#run(req, res, match, scope, undefined);
  };

  /** The fast path's second half: a handler's settled value, written without a lifecycle. */
  #settle(
    req: Request,
    res: ServerResponse,
    match: RouteMatch<RouteEntry>,
    scope: Scope,
    value: unknown,
  ): void {
    // A session the handler used has to be saved, which the lifecycle does.
    if (req.afterThis !== undefined || req.openedSession !== undefined) {
      this.#run(req, res, match, scope, { value });
      return;
    }
    let lines: readonly string[] = HTML_LINES;
    let text = typeof value === "string" ? value : undefined;
    if (text === undefined) {
      try {
        text = jsonText(value);
      } catch (error) {
        // JSON.stringify threw (a cycle, a BigInt): the error handlers decide the answer.
        this.#run(req, res, match, scope, { error });
        return;
      }
      lines = JSON_LINES;
    }
    if (text !== undefined) {
      this.#writeText(req, res, 200, lines, text);
      if (scope.teardown.length > 0) this.#teardownAll(req, scope, null).catch(this.#fatal);
      return;
    }
    let response: Response;
    try {
      response = toResponse(value, req.endpoint ?? NO_ENDPOINT);
    } catch (error) {
      releaseUnsent(value);
      this.#run(req, res, match, scope, { error });
      return;
    }
    const written = this.#write(req, res, scope, response, null);
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
      req.blueprint = match.value.scope.blueprint;
    }
    return match;
  }

  #run(
    req: Request,
    res: ServerResponse,
    match: RouteMatch<RouteEntry>,
    scope: Scope,
    outcome: Outcome | undefined,
  ): void {
    this.#lifecycle(req, res, match, scope, outcome).catch(this.#fatal);
  }

  /** Steps 2-6 for everything off the fast path. Never rejects except on a bug. */
  async #lifecycle(
    req: Request,
    res: ServerResponse,
    match: RouteMatch<RouteEntry>,
    scope: Scope,
    outcome: Outcome | undefined,
  ): Promise<void> {
    let response: Response;
    let error: unknown = null;
    try {
      if (this.#eagerSession) await this.#openSession(req);
      response = await this.#fullDispatch(req, match, scope, outcome);
    } catch (err) {
      error = err;
      response = await handleException(this.#s, req, scope, err);
    }
    if (req.openedSession !== undefined) {
      // Step 6b: the session interface writes the session (its cookie) into the response.
      try {
        const owner = this.#s.owner;
        await saveSession(req.openedSession, req, response, owner, owner.sessionInterface);
      } catch (err) {
        this.#s.logger.error(`Saving the session of ${req.method} ${req.rawPath} failed`, { err });
        error ??= err;
        releaseUnsent(response);
        response = errorPage(this.#s, req, new InternalServerError(undefined, { cause: err }), err);
      }
    }
    await this.#write(req, res, scope, response, error);
  }

  async #openSession(req: Request): Promise<void> {
    const iface = this.#s.owner.sessionInterface;
    if (iface !== null) req.useSession(await openSessionEagerly(req, this.#s.owner, iface));
  }

  /** beforeRequest hooks, then the handler (unless a hook answered), then afterRequest. */
  async #fullDispatch(
    req: Request,
    match: RouteMatch<RouteEntry>,
    scope: Scope,
    outcome: Outcome | undefined,
  ): Promise<Response> {
    let value: unknown;
    if (outcome !== undefined) {
      if ("error" in outcome) throw outcome.error;
      value = await outcome.value;
    } else {
      for (const hook of scope.before) {
        value = await hook(req);
        if (value !== undefined) break;
      }
      if (value === undefined) value = await this.#dispatch(req, match);
    }
    let response: Response;
    try {
      response = toResponse(value, req.endpoint ?? NO_ENDPOINT);
    } catch (err) {
      releaseUnsent(value);
      throw err;
    }
    return processResponse(req, scope, response);
  }

  /** The handler, or the answer routing already decided (Flask's routing exceptions). */
  #dispatch(req: Request, match: RouteMatch<RouteEntry>): unknown {
    return match.type === "found" ? match.value.handler(req) : routingAnswer(req, match);
  }

  /** Step 6-7: write the response, then run teardown hooks once it is fully sent or failed. */
  #write(
    req: Request,
    res: ServerResponse,
    scope: Scope,
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
      // Nothing was written yet (an invalid status): answer a plain 500 instead.
      this.#s.logger.error(`Invalid response for ${req.method} ${req.rawPath}`, { err: invalid });
      error ??= invalid;
      pending = writeFallback(this.#s, req, res, invalid, this.#mustClose(req));
    }
    if (pending === undefined) {
      if (scope.teardown.length > 0) return this.#teardownAll(req, scope, error);
      return undefined;
    }
    return pending.then(
      () => this.#teardownAll(req, scope, error),
      (streamError: unknown) => {
        streamFailed(this.#s, req, res, streamError, this.#mustClose(req));
        return this.#teardownAll(req, scope, error ?? streamError);
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
    return (
      (this.closing && req.raw.httpVersionMajor < 2) ||
      unreadBody(req, this.#s.config.maxContentLength)
    );
  }

  async #teardownAll(req: Request, scope: Scope, error: unknown): Promise<void> {
    for (const hook of scope.teardown) {
      try {
        await hook(error, req);
      } catch (err) {
        this.#s.logger.error("A teardownRequest hook failed", { err });
      }
    }
  }

  // Only a bug in phial itself gets here; keep the process alive and say so.
  readonly #fatal = (err: unknown): void => {
    this.#s.logger.error("phial failed to answer a request (this is a bug in phial)", { err });
  };
}

const HTML_LINES: readonly string[] = ["Content-Type", "text/html; charset=utf-8"];
const JSON_LINES: readonly string[] = ["Content-Type", "application/json"];
