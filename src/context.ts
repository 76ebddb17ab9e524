/**
 * Context locals: `request`, `g` and `session` reach the request being handled from any code
 * that runs on its behalf, across `await`, as Flask's do; `urlFor`, `flash` and
 * `getFlashedMessages` are the request's own methods reached the same way. They ride on one
 * AsyncLocalStorage, which apps switch on with `new Phial({ contextLocals: true })`: on Node 20
 * an active AsyncLocalStorage makes every promise in the process slower, so apps that never use
 * them must not pay for them.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { PhialError } from "./errors.ts";
import type { UrlForOptions } from "./external-url.ts";
import type { FlashedMessage, FlashOptions } from "./flash.ts";
import type { Request } from "./request.ts";
import type { Session } from "./session.ts";

/**
 * Thrown when a context local is used while no request is being handled (or the app did not
 * turn context locals on).
 *
 * @example
 * ```ts
 * try { request.path } catch (e) { if (e instanceof ContextError) console.log(e.code) } // "no_request_context"
 * ```
 */
export class ContextError extends PhialError {
  /** `what` names what was used, e.g. `request`; the message starts with it. */
  constructor(what: string) {
    super(
      `${what} was used outside a request. Context locals work while phial handles a request ` +
        "(in handlers, hooks, error handlers and streamed bodies) of an app created with " +
        "`new Phial({ contextLocals: true })`. Use the handler's `req` argument instead, " +
        "or turn context locals on.",
      500,
      "no_request_context",
    );
    this.name = "ContextError";
  }
}

const storage = new AsyncLocalStorage<Request>();

/**
 * @internal Runs `fn(req, res, match, scope)` with `req` as the current request. Only called for
 * apps that turned context locals on; the fixed arguments are passed through `run` so no closure
 * or argument array is made per request.
 */
export function runInRequest<A, B, C>(
  req: Request,
  fn: (req: Request, b: A, c: B, d: C) => void,
  b: A,
  c: B,
  d: C,
): void {
  storage.run(req, fn, req, b, c, d);
}

/** @internal The current request, or `undefined` outside one. */
export function activeRequest(): Request | undefined {
  return storage.getStore();
}

/**
 * The request being handled; throws {@link ContextError} outside one.
 *
 * @example
 * ```ts
 * function currentUserId(): string | null { return currentRequest().cookies.user ?? null; }
 * ```
 */
export function currentRequest(what = "The request context"): Request {
  const req = storage.getStore();
  if (req === undefined) throw new ContextError(what);
  return req;
}

/**
 * An object that forwards every operation to whatever `target()` returns at that moment, so a
 * module-level import always means "the current one". Methods are bound to the real target, so
 * private fields and getters work.
 */
export function forwarder<T extends object>(target: () => T): T {
  return new Proxy(Object.create(null) as T, {
    get(_, key) {
      const real = target();
      const value: unknown = Reflect.get(real, key, real);
      return typeof value === "function" ? value.bind(real) : value;
    },
    set: (_, key, value) => Reflect.set(target(), key, value),
    has: (_, key) => Reflect.has(target(), key),
    deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor(_, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      // The proxy's own target has no such property; report it as configurable or the
      // Proxy invariants throw.
      if (descriptor !== undefined) descriptor.configurable = true;
      return descriptor;
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
  });
}

/**
 * The request being handled, from anywhere that runs on its behalf (Flask's `request`). Needs
 * `new Phial({ contextLocals: true })`; the handler's `req` argument is the same object.
 *
 * @example
 * ```ts
 * import { request } from "phial";
 * function wantsJson(): boolean { return request.headers.accept === "application/json"; }
 * ```
 */
export const request: Request = forwarder(() => currentRequest("`request`"));

/**
 * Data that lives as long as the current request (Flask's `g`); the same object as `req.g`.
 *
 * @example
 * ```ts
 * import { g } from "phial";
 * app.beforeRequest(() => { g.startedAt = Date.now(); });
 * ```
 */
export const g: Record<string, unknown> = forwarder(() => currentRequest("`g`").g);

/**
 * The current request's session (Flask's `session`); the same object as `req.session`.
 *
 * @example
 * ```ts
 * import { session } from "phial";
 * const user = session.get("userId");
 * ```
 */
export const session: Session = forwarder(() => currentRequest("`session`").session);

/**
 * Builds a URL for an endpoint of the current app, as `req.urlFor`; `".name"` means an endpoint
 * of the current blueprint.
 *
 * @example
 * ```ts
 * import { urlFor } from "phial";
 * const link = urlFor("user", { id: 7 }); // "/users/7"
 * const full = urlFor("user", { id: 7 }, { external: true }); // "http://localhost:5000/users/7"
 * ```
 */
export function urlFor(
  endpoint: string,
  values?: Readonly<Record<string, unknown>>,
  options?: UrlForOptions,
): string {
  return currentRequest("`urlFor`").urlFor(endpoint, values, options);
}

/**
 * Stores a message for the next request to show (Flask's `flash`), through the context locals;
 * `req.flash` does the same without them. Needs sessions (`config.secretKey`).
 *
 * @example
 * ```ts
 * import { flash, redirect } from "phial";
 * app.post("/login", () => { flash("Welcome back!", "success"); return redirect("/"); });
 * ```
 */
export function flash(message: string, category = "message"): void {
  currentRequest("`flash`").flash(message, category);
}

/**
 * The flashed messages, taken out of the session (Flask's `get_flashed_messages`), through the
 * context locals; `req.getFlashedMessages` does the same without them.
 *
 * @example
 * ```ts
 * import { getFlashedMessages } from "phial";
 * const errors = getFlashedMessages({ categoryFilter: ["error"] }); // ["Wrong password"]
 * const all = getFlashedMessages({ withCategories: true }); // [["error", "Wrong password"]]
 * ```
 */
export function getFlashedMessages(
  options: FlashOptions & { readonly withCategories: true },
): FlashedMessage[];
export function getFlashedMessages(
  options?: FlashOptions & { readonly withCategories?: false },
): string[];
export function getFlashedMessages(options?: FlashOptions): FlashedMessage[] | string[];
export function getFlashedMessages(options?: FlashOptions): FlashedMessage[] | string[] {
  return currentRequest("`getFlashedMessages`").getFlashedMessages(options);
}
