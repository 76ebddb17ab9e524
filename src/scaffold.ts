/**
 * Registration shared by the app and (later) blueprints: it records routes, hooks and error
 * handlers and does nothing else. No I/O; the app turns the records into a route table.
 */
import { SetupError } from "./errors.ts";
import { MAX_TIMER_MS } from "./internal/timer.ts";
import type { Request } from "./request.ts";
import type { Response } from "./response.ts";
import type { PathParams } from "./routing/params.ts";

/**
 * What a handler may return: a string (HTML), bytes, a plain object or array (JSON), a stream or
 * generator, a phial or web `Response`, or a tuple `[body, status]`, `[body, headers]`,
 * `[body, status, headers]`. See `toResponse` for the exact rules.
 *
 * @example
 * ```ts
 * const value: ResponseValue = [{ created: true }, 201, { Location: "/items/1" }];
 * ```
 */
export type ResponseValue = string | object;

/**
 * A route handler: gets the request, returns a value (or a promise of one).
 *
 * @example
 * ```ts
 * const show: Handler<{ id: number }> = (req) => ({ id: req.params.id });
 * ```
 */
export type Handler<P = Record<string, unknown>> = (
  req: Request<P>,
) => ResponseValue | Promise<ResponseValue>;

/**
 * A handler as stored, with its params type erased (`never` accepts every typed handler; the
 * dispatcher passes the params the route's own pattern produced).
 */
export type AnyHandler = (req: Request<never>) => unknown;

/** Runs before each request; returning anything but `undefined` answers the request with it. @example `app.beforeRequest((req) => (req.headers.authorization ? undefined : ["sign in", 401]))` */
export type BeforeRequestHook = (req: Request) => unknown;
/** Runs after each request with its response; may return a replacement. @example `app.afterRequest((res) => { res.headers.set("X-Frame-Options", "DENY"); return res; })` */
export type AfterRequestHook = (
  response: Response,
  req: Request,
) => Response | undefined | Promise<Response | undefined>;
/** Always runs once the response is sent (or failed), with the error if there was one. @example `app.teardownRequest((err) => { if (err) metrics.count("failed") })` */
export type TeardownHook = (error: unknown, req: Request) => unknown;
/** Turns an error into a response value, as Flask's error handlers. @example `app.errorHandler(404, (err) => ({ missing: err.description }))` */
export type ErrorHandler<E = Error> = (error: E, req: Request) => unknown;

/** Options of `route()` and the method shorthands. @example `app.route("/i/:id", { methods: ["GET", "PUT"], endpoint: "item" }, h)` */
export interface RouteOptions {
  /** HTTP methods; defaults to `["GET"]`. HEAD and OPTIONS are added automatically. */
  methods?: readonly string[];
  /** Name used by `urlFor`; defaults to the handler's function name. */
  endpoint?: string;
  /**
   * Milliseconds the handler gets to produce its value (body reading included; hooks and the
   * streaming of a body it returns are not). After that the client is answered 503 through the
   * error handlers (a `HandlerTimeout`), `req.signal` aborts with that error, and a value the
   * handler produces later is dropped. Default `config.handlerTimeout`; `null` means no limit.
   */
  timeout?: number | null;
}

/** A recorded route registration. */
export interface RouteSpec {
  readonly rule: string;
  readonly methods: readonly string[];
  readonly endpoint: string;
  readonly handler: AnyHandler;
  /** The function the user registered (the decorated method for decorators), for collision checks. */
  readonly identity: AnyHandler;
  /** The route's own `timeout` option: `undefined` follows `config.handlerTimeout`. */
  readonly timeout: number | null | undefined;
}

/** The TC39 decorator returned by `app.get(path)` and friends, for static class methods. @example `class A { @app.get("/a") static a() { return "a" } }` */
export type RouteDecorator<P extends string> = <T extends Handler<PathParams<P>>>(
  value: T,
  context: ClassMethodDecoratorContext,
) => void;

/** Options of the method shorthands: `route()`'s options without `methods`. @example `app.get("/u/<int:id>", { endpoint: "user" }, show)` */
export type MethodRouteOptions = Omit<RouteOptions, "methods">;

/**
 * The shape of `app.get`, `app.post`, `app.put`, `app.patch` and `app.delete`: with a handler
 * it registers and returns it; without one it returns a decorator for a static method.
 *
 * @example
 * ```ts
 * app.get("/", () => "home");
 * app.get("/users/<int:id>", { endpoint: "user" }, (req) => ({ id: req.params.id }));
 * class Api { @app.get("/api/ping") static ping() { return { pong: true }; } }
 * ```
 */
export interface MethodRoute {
  <P extends string>(path: P, handler: Handler<PathParams<P>>): Handler<PathParams<P>>;
  <P extends string>(
    path: P,
    options: MethodRouteOptions,
    handler: Handler<PathParams<P>>,
  ): Handler<PathParams<P>>;
  <P extends string>(path: P, options?: MethodRouteOptions): RouteDecorator<P>;
}

/**
 * Any constructor of an Error subclass, whatever its parameters: what `errorHandler` takes
 * besides a status.
 *
 * @example
 * ```ts
 * const handled: ErrorClass[] = [TypeError, NotFound];
 * ```
 */
export type ErrorClass<E extends Error = Error> = abstract new (...args: never[]) => E;

const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The registration API shared by `Phial` and blueprints.
 *
 * @example
 * ```ts
 * app.get("/", () => "home");
 * app.route("/items/:id", { methods: ["GET", "PUT"], endpoint: "item" }, handler);
 * app.beforeRequest((req) => { if (!req.headers.authorization) return ["no", 401]; });
 * ```
 */
export class Scaffold {
  // The records below are what the app reads when it builds its route table and hook chains; they
  // are not API (use `app.rules()` to list routes), hence @internal.
  /** @internal Routes in registration order. */
  readonly routes: RouteSpec[] = [];
  /** @internal Registered by `beforeRequest`, in order. */
  readonly beforeRequestHooks: BeforeRequestHook[] = [];
  /** @internal Registered by `afterRequest`, in order (they run in reverse). */
  readonly afterRequestHooks: AfterRequestHook[] = [];
  /** @internal Registered by `teardownRequest`, in order (they run in reverse). */
  readonly teardownHooks: TeardownHook[] = [];
  /** @internal Error handlers keyed by status code or error class. */
  readonly errorHandlers = new Map<number | ErrorClass, ErrorHandler<never>>();
  #frozenReason: string | null = null;

  /** @internal Refuses further registration from now on. */
  protected freezeRegistration(reason: string): void {
    this.#frozenReason ??= reason;
  }

  /** @internal Throws when registration is closed. */
  protected assertOpen(what: string): void {
    if (this.#frozenReason !== null) {
      throw new SetupError(
        `Cannot register ${what}: ${this.#frozenReason}. Register everything before the app handles its first request.`,
      );
    }
  }

  /** @internal Called for each new route; the app compiles it here so bad patterns fail now. */
  protected addRoute(spec: RouteSpec): void {
    this.routes.push(spec);
  }

  /**
   * Registers a handler for a path pattern and methods. With a handler, returns it; without,
   * returns a decorator for a static class method.
   *
   * @example
   * ```ts
   * app.route("/items/<int:id>", { methods: ["GET", "PUT"] }, (req) => ({ id: req.params.id }));
   * ```
   */
  route<P extends string>(
    path: P,
    options: RouteOptions,
    handler: Handler<PathParams<P>>,
  ): Handler<PathParams<P>>;
  route<P extends string>(path: P, options?: RouteOptions): RouteDecorator<P>;
  route(path: string, options: RouteOptions = {}, handler?: AnyHandler): unknown {
    const methods = normalizeMethods(options.methods ?? ["GET"], path);
    const timeout = checkTimeout(options.timeout, path);
    if (handler !== undefined) {
      this.#register(path, methods, options.endpoint, timeout, handler);
      return handler;
    }
    return (value: AnyHandler, context: ClassMethodDecoratorContext) => {
      if (context.kind !== "method" || !context.static) {
        throw new SetupError(
          `@route("${path}") decorates static methods only; make ${String(context.name)} static.`,
        );
      }
      const endpoint = options.endpoint ?? String(context.name);
      const register = (bound: AnyHandler) =>
        this.#register(path, methods, endpoint, timeout, bound, value);
      // The class is not defined yet while decorators run; bind `this` once it is.
      context.addInitializer(function (this: unknown) {
        register((req) => value.call(this, req));
      });
    };
  }

  /** `route(path, { methods: ["GET"] }, handler)`. @example `app.get("/users/<int:id>", (req) => ({ id: req.params.id }))` */
  readonly get: MethodRoute = this.#method("GET");
  /** `route(path, { methods: ["POST"] }, handler)`. @example `app.post("/users", async (req) => [await req.json(), 201])` */
  readonly post: MethodRoute = this.#method("POST");
  /** `route(path, { methods: ["PUT"] }, handler)`. @example `app.put("/users/<int:id>", update)` */
  readonly put: MethodRoute = this.#method("PUT");
  /** `route(path, { methods: ["PATCH"] }, handler)`. @example `app.patch("/users/<int:id>", patchUser)` */
  readonly patch: MethodRoute = this.#method("PATCH");
  /** `route(path, { methods: ["DELETE"] }, handler)`. @example `app.delete("/users/<int:id>", removeUser)` */
  readonly delete: MethodRoute = this.#method("DELETE");

  // One implementation behind the five shorthands; the MethodRoute overloads give each its types.
  #method(method: string): MethodRoute {
    return ((path: string, a?: RouteOptions | AnyHandler, b?: AnyHandler) =>
      this.#shorthand(method, path, a, b)) as MethodRoute;
  }

  #shorthand(method: string, path: string, a?: RouteOptions | AnyHandler, b?: AnyHandler): unknown {
    if (a !== undefined && typeof a !== "function" && (typeof a !== "object" || a === null)) {
      throw new SetupError(`The handler for "${path}" must be a function, got ${typeof a}.`);
    }
    const options = typeof a === "function" ? {} : (a ?? {});
    const handler = typeof a === "function" ? a : b;
    if (options.methods !== undefined) {
      throw new SetupError(
        `app.${method.toLowerCase()}() fixes the method; use app.route() to set methods.`,
      );
    }
    const full = { ...options, methods: [method] };
    return handler === undefined
      ? this.route(path, full)
      : this.route(path, full, handler as Handler<PathParams<string>>);
  }

  #register(
    rule: string,
    methods: readonly string[],
    endpoint: string | undefined,
    timeout: number | null | undefined,
    handler: AnyHandler,
    identity: AnyHandler = handler,
  ): void {
    this.assertOpen(`the route "${rule}"`);
    if (typeof handler !== "function") {
      throw new SetupError(`The handler for "${rule}" must be a function, got ${typeof handler}.`);
    }
    if (endpoint !== undefined && (endpoint === "" || endpoint.includes("."))) {
      throw new SetupError(
        `The endpoint ${JSON.stringify(endpoint)} for "${rule}" must be a non-empty name without dots (dots separate blueprint names).`,
      );
    }
    const name = endpoint ?? defaultEndpoint(identity, rule, methods);
    this.addRoute({ rule, methods, endpoint: name, handler, identity, timeout });
  }

  /**
   * Runs `fn` before every request, in registration order. A value other than `undefined`
   * answers the request and skips the handler.
   *
   * @example
   * ```ts
   * app.beforeRequest((req) => { if (!req.cookies.user) return redirect("/login"); });
   * ```
   */
  beforeRequest<H extends BeforeRequestHook>(fn: H): H {
    this.assertOpen("a beforeRequest hook");
    this.beforeRequestHooks.push(fn);
    return fn;
  }

  /**
   * Runs `fn` on every response, last registered first; return a Response to replace it.
   *
   * @example
   * ```ts
   * app.afterRequest((res) => { res.headers.set("X-Frame-Options", "DENY"); return res; });
   * ```
   */
  afterRequest<H extends AfterRequestHook>(fn: H): H {
    this.assertOpen("an afterRequest hook");
    this.afterRequestHooks.push(fn);
    return fn;
  }

  /**
   * Runs `fn` after every request once the response is sent or has failed, last registered
   * first, with the unhandled error (or `null`). Errors thrown here are logged and ignored.
   *
   * @example
   * ```ts
   * app.teardownRequest((err, req) => db.release(req.g.conn));
   * ```
   */
  teardownRequest<H extends TeardownHook>(fn: H): H {
    this.assertOpen("a teardownRequest hook");
    this.teardownHooks.push(fn);
    return fn;
  }

  /**
   * Registers an error handler for a status code or an error class; for each error the handler
   * of its status, else of its nearest class, is used. The returned value becomes the response,
   * with the error's status unless the value sets one.
   *
   * @example
   * ```ts
   * app.errorHandler(404, () => ({ error: "not here" }));
   * app.errorHandler(ValidationError, (err) => [{ error: err.message }, 422]);
   * ```
   */
  errorHandler<E extends Error>(cls: ErrorClass<E>, fn: ErrorHandler<E>): ErrorHandler<E>;
  errorHandler(status: number, fn: ErrorHandler<HTTPErrorLike>): ErrorHandler<HTTPErrorLike>;
  errorHandler(key: number | ErrorClass, fn: ErrorHandler<never>): unknown {
    this.assertOpen("an error handler");
    if (typeof key === "number" && (!Number.isInteger(key) || key < 400 || key > 599)) {
      throw new SetupError(`errorHandler() takes a 4xx/5xx status or an Error class, got ${key}.`);
    }
    if (typeof key !== "number" && typeof key !== "function") {
      throw new SetupError("errorHandler() takes a 4xx/5xx status or an Error class.");
    }
    this.errorHandlers.set(key, fn);
    return fn;
  }
}

/** The error a status-keyed handler receives: an HTTPError (500 wraps the original in `cause`). @example `app.errorHandler(500, (err) => ({ failed: String(err.cause) }))` */
export interface HTTPErrorLike extends Error {
  /** The HTTP status, 4xx or 5xx. */
  readonly status: number;
  /** The stable identifier, such as `"not_found"`. */
  readonly code: string;
  /** The text shown to the client on the error page. */
  readonly description: string;
}

function checkTimeout(timeout: unknown, path: string): number | null | undefined {
  if (timeout === undefined || timeout === null) return timeout;
  if (typeof timeout === "number" && Number.isSafeInteger(timeout) && timeout >= 1) {
    if (timeout <= MAX_TIMER_MS) return timeout;
  }
  throw new SetupError(
    `The timeout of route "${path}" must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}, or null for none; got ${String(timeout)}.`,
    { code: "invalid_route_timeout" },
  );
}

function normalizeMethods(methods: readonly string[], path: string): readonly string[] {
  if (methods.length === 0) throw new SetupError(`The route "${path}" lists no methods.`);
  const out = new Set<string>();
  for (const m of methods) {
    if (typeof m !== "string" || !METHOD_TOKEN.test(m)) {
      throw new SetupError(`"${String(m)}" is not an HTTP method (route "${path}").`);
    }
    out.add(m.toUpperCase());
  }
  return [...out];
}

// Named functions give Flask's default endpoint; anonymous arrows get "METHOD /rule" so that two
// inline handlers never collide by accident.
function defaultEndpoint(fn: AnyHandler, rule: string, methods: readonly string[]): string {
  const name = fn.name.startsWith("bound ") ? fn.name.slice(6) : fn.name;
  return name !== "" ? name : `${methods.join(",")} ${rule}`;
}
