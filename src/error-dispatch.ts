/**
 * The lifecycle's error path: the answer an error gets (its nearest error handler's, else the
 * default error page, either one through the afterRequest step), and the plain 500 for an answer
 * that could not be written or whose stream failed before its status line went out. The
 * dispatcher's steps catch the errors; what they answer is decided here.
 */
import type { ServerResponse } from "node:http";
import { processResponse } from "./after-request.ts";
import type { DispatchState } from "./dispatch-state.ts";
import { describeError, errorResponse, keepErrorHeaders } from "./error-page.ts";
import { HTTPError, InternalServerError } from "./errors.ts";
import { prefersJson } from "./internal/accept.ts";
import type { Request } from "./request.ts";
import type { Response } from "./response.ts";
import { isClientGone, writeResponse } from "./response-write.ts";
import type { ErrorHandler } from "./scaffold.ts";
import type { Scope } from "./scope.ts";
import { toResponse } from "./to-response.ts";

/**
 * The endpoint that `toResponse`'s errors name when no route matched the request.
 *
 * @example
 * ```ts
 * toResponse(value, req.endpoint ?? NO_ENDPOINT);
 * ```
 */
export const NO_ENDPOINT = "(no endpoint)";

/**
 * An error became the answer: its handler's response, or the default error page. The response
 * passes through the afterRequest step; if that or the handler fails, the answer is a plain 500.
 *
 * @example
 * ```ts
 * const response = await handleException(state, req, scope, err); // a handler threw err
 * ```
 */
export async function handleException(
  state: DispatchState,
  req: Request,
  scope: Scope,
  err: unknown,
): Promise<Response> {
  try {
    const response = await handleUserError(state, req, scope, err);
    return await processResponse(req, scope, response);
  } catch (second) {
    state.logger.error("An error handler or afterRequest hook failed", { err: second });
    return errorPage(state, req, new InternalServerError(undefined, { cause: second }), second);
  }
}

/**
 * The response of the handler `scope` finds for an error, or the default error page. An error
 * that is not an `HTTPError` and has no handler of its own is logged once and handled as a 500.
 */
async function handleUserError(
  state: DispatchState,
  req: Request,
  scope: Scope,
  err: unknown,
): Promise<Response> {
  const httpError =
    err instanceof HTTPError ? err : new InternalServerError(undefined, { cause: err });
  let handler = scope.findErrorHandler(err);
  let handled: unknown = err;
  if (handler === undefined && httpError !== err) {
    // Nothing handles the error itself: it is logged once and becomes a 500.
    state.logger.error(`Unhandled error in ${req.method} ${req.rawPath}`, { err });
    handler = scope.findErrorHandler(httpError);
    handled = httpError;
  }
  if (handler === undefined) return errorPage(state, req, httpError, err);
  const value = await (handler as ErrorHandler<unknown>)(handled, req);
  const response = toResponse(value, req.endpoint ?? NO_ENDPOINT, httpError.status);
  if (response.status === httpError.status) keepErrorHeaders(response, httpError);
  return response;
}

/**
 * The default error page; in debug it shows the original error's stack (escaped).
 *
 * @example
 * ```ts
 * errorPage(state, req, new InternalServerError(undefined, { cause: err }), err);
 * ```
 */
export function errorPage(
  state: DispatchState,
  req: Request,
  error: HTTPError,
  cause: unknown,
): Response {
  const debugDetail =
    state.config.debug && !(cause instanceof HTTPError) ? describeError(cause) : undefined;
  return errorResponse(error, { json: prefersJson(req.headers.accept), debugDetail });
}

/**
 * The plain 500 for a response that could not be written (a string body: written at once).
 * `close` is the dispatcher's answer to whether the connection must end.
 *
 * @example
 * ```ts
 * writeFallback(state, req, res, invalid, false);
 * ```
 */
export function writeFallback(
  state: DispatchState,
  req: Request,
  res: ServerResponse,
  cause: unknown,
  close: boolean,
): Promise<void> | undefined {
  const page = errorPage(state, req, new InternalServerError(), cause);
  if (close) page.headers.set("Connection", "close");
  return writeResponse(res, page, req.method === "HEAD");
}

/**
 * A streamed response failed: logged, and answered with the plain 500 when it failed before its
 * first chunk. `close` is as for {@link writeFallback}.
 *
 * @example
 * ```ts
 * pending.catch((streamError: unknown) => streamFailed(state, req, res, streamError, false));
 * ```
 */
export function streamFailed(
  state: DispatchState,
  req: Request,
  res: ServerResponse,
  streamError: unknown,
  close: boolean,
): void {
  if (isClientGone(streamError)) {
    // A cancelled download is routine: worth a line when tracing, not an error with a stack.
    state.logger.info(`The client left before ${req.method} ${req.rawPath} was sent`);
  } else {
    state.logger.error(`The response stream of ${req.method} ${req.rawPath} failed`, {
      err: streamError,
    });
  }
  // Failed before its first chunk: no status line went out, so a 500 still can.
  if (!res.headersSent && !res.destroyed) writeFallback(state, req, res, streamError, close);
}
