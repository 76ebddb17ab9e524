/**
 * The afterRequest step, apart from the dispatcher because an error handler's answer passes
 * through it too: the error path runs it without importing the dispatcher.
 */
import type { Request } from "./request.ts";
import { Response } from "./response.ts";
import { releaseUnsent } from "./response-write.ts";
import type { Scope } from "./scope.ts";

/**
 * afterThisRequest functions in order, then afterRequest hooks last-registered first. When one
 * fails, the response it was given is released: an error page replaces it.
 *
 * @example
 * ```ts
 * const response = await processResponse(req, scope, toResponse(value, endpoint));
 * ```
 */
export async function processResponse(
  req: Request,
  scope: Scope,
  response: Response,
): Promise<Response> {
  let current = response;
  try {
    if (req.afterThis !== undefined) {
      for (const fn of req.afterThis) current = checked(await fn(current)) ?? current;
    }
    for (const hook of scope.after) current = checked(await hook(current, req)) ?? current;
  } catch (err) {
    releaseUnsent(current);
    throw err;
  }
  return current;
}

/** What an afterRequest hook returned, refused unless it is a Response or nothing. */
function checked(value: unknown): Response | undefined {
  if (value === undefined || value === null || value instanceof Response) return value ?? undefined;
  throw new TypeError(
    "An afterRequest hook (or afterThisRequest function) must return the Response it was " +
      "given, another Response, or nothing; use makeResponse() to build one from a value.",
  );
}
