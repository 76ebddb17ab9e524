/** The per-request log line of debug mode: method, path, status and time, once the response closes. */
import type { ServerResponse } from "node:http";
import type { PhialLogger } from "./logger.ts";
import type { Request } from "./request.ts";

/**
 * The request's one log line, once its response is finished or the client went away. Only
 * called when info lines were on as the app started serving (debug mode, or `logLevel:
 * "info"`), so the closure and the clock reading cost nothing otherwise.
 *
 * @example
 * ```ts
 * if (logRequests) logWhenDone(app.logger, req, res); // "GET /users/7 200 1.4 ms"
 * ```
 */
export function logWhenDone(logger: PhialLogger, req: Request, res: ServerResponse): void {
  const start = performance.now();
  res.once("close", () => {
    const status = res.writableFinished ? res.statusCode : 499;
    logger.request(req.method, req.rawPath, status, performance.now() - start);
  });
}
