/**
 * Reading a request header from `rawHeaders`. Node builds `req.headers` on first access, and
 * the dispatcher's fast paths only ever need one or two headers: scanning the raw list costs
 * less than materialising the whole object for every request (measured in the 404 benchmark).
 */
import type { IncomingMessage } from "node:http";

/**
 * The value of header `name` (lower-case), repeated lines joined with ", " as Node joins them
 * in `req.headers`; `undefined` when absent.
 *
 * @example
 * ```ts
 * rawHeader(req, "accept"); // "application/json"
 * ```
 */
export function rawHeader(raw: IncomingMessage, name: string): string | undefined {
  const list = raw.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i + 1 < list.length; i += 2) {
    const key = list[i] as string;
    if (key.length === name.length && key.toLowerCase() === name) {
      const line = list[i + 1] as string;
      value = value === undefined ? line : `${value}, ${line}`;
    }
  }
  return value;
}
