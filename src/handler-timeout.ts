/**
 * Per-route handler timeouts. A route with a `timeout` (its own, or `config.handlerTimeout`)
 * has its handler wrapped once, when the app starts; routes without one keep their handler as
 * registered, so they pay nothing per request and no timer is ever set for them.
 */
import { ServiceUnavailable } from "./errors.ts";
import { isThenable } from "./internal/thenable.ts";
import type { Request } from "./request.ts";
import { releaseUnsent } from "./response-write.ts";

/**
 * The 503 a route answers when its handler has not produced a value within the route's
 * `timeout`; also the reason `req.signal` aborts with, so the handler can tell it apart from a
 * client that left. Handle it with `errorHandler(HandlerTimeout, fn)` (or `errorHandler(503,
 * fn)`, which also sees other 503s).
 *
 * @example
 * ```ts
 * app.get("/report", { timeout: 2000 }, async (req) => buildReport({ signal: req.signal }));
 * app.errorHandler(HandlerTimeout, (err) => [{ error: "busy", retryAfterMs: err.timeout }, 503]);
 * ```
 */
export class HandlerTimeout extends ServiceUnavailable {
  override readonly code: string = "handler_timeout";
  /** The limit that ran out, in milliseconds. */
  readonly timeout: number;

  /** `timeout` is the limit that ran out, in milliseconds; the message asks the client to retry. */
  constructor(timeout: number) {
    super("The server took too long to answer this request; try again later.");
    this.timeout = timeout;
  }
}

/** What to do besides answering when a handler runs out of time (the app logs a warning). */
export type OnTimeout = (req: Request, error: HandlerTimeout) => void;

/**
 * `handler` limited to `ms`: a value it returns synchronously passes unchanged; a promise races
 * a timer. When the timer wins, `req.signal` aborts and the returned promise rejects with a
 * {@link HandlerTimeout}; the handler's own value, when it comes, is released unsent, and its
 * rejection is absorbed rather than left unhandled.
 *
 * @example
 * ```ts
 * const timed = withTimeout(handler, 2000, (req) => log.warn(`${req.path} timed out`));
 * ```
 */
export function withTimeout(
  handler: (req: Request) => unknown,
  ms: number,
  onTimeout: OnTimeout,
): (req: Request) => unknown {
  return (req) => {
    const value = handler(req);
    // A handler that blocks the event loop cannot be interrupted; one that returned is on time.
    if (!isThenable(value)) return value;
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        const error = new HandlerTimeout(ms);
        req.abortSignal(error);
        onTimeout(req, error);
        reject(error);
      }, ms);
      value.then(
        (settled) => {
          clearTimeout(timer);
          if (late) releaseUnsent(settled);
          else resolve(settled);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  };
}
