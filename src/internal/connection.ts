/** Whether an answer must end its connection because of the request body. */
import type { Request } from "../request.ts";

/**
 * A body the client is still sending and phial will not read (refused by a limit, or too big or
 * unbounded to drain) must not be read to its end: close the connection after answering.
 *
 * @example
 * ```ts
 * if (unreadBody(req, config.maxContentLength)) response.headers.set("Connection", "close");
 * ```
 */
export function unreadBody(req: Request, maxContentLength: number): boolean {
  const raw = req.raw;
  // HTTP/2 forbids the Connection header; an unread body there only costs its own stream.
  if (raw.httpVersionMajor >= 2) return false;
  if (req.bodyRefused) return true;
  if (raw.complete) return false;
  const length = raw.headers["content-length"];
  if (length !== undefined) return Number(length) > maxContentLength;
  return raw.headers["transfer-encoding"] !== undefined;
}
