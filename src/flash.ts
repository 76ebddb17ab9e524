/**
 * Flash messages, as Flask's: a message stored in the session now and shown on the next page
 * the user sees. They live in the session under `_flashes` as `[category, message]` pairs, so
 * they need sessions (a `secretKey`). Reading takes them out of the session; reads in the same
 * request see the same list.
 */
import type { Request } from "./request.ts";
import type { Session } from "./session.ts";

const KEY = "_flashes";

/**
 * What `getFlashedMessages` returns with `withCategories: true`.
 *
 * @example
 * ```ts
 * const [category, message]: FlashedMessage = ["error", "Wrong password"];
 * ```
 */
export type FlashedMessage = [category: string, message: string];

/**
 * Options of `getFlashedMessages` and `req.getFlashedMessages`.
 *
 * @example
 * ```ts
 * const options: FlashOptions = { withCategories: true, categoryFilter: ["error"] };
 * ```
 */
export interface FlashOptions {
  /** Return `[category, message]` pairs instead of messages (default false). */
  readonly withCategories?: boolean;
  /** Only messages of these categories; the others stay out of the answer (and are consumed). */
  readonly categoryFilter?: Iterable<string>;
}

/** Per request, the messages taken out of the session by the first read. */
const taken = new WeakMap<Request<unknown>, FlashedMessage[]>();

/**
 * @internal `req.flash`: appends to the session's `_flashes`.
 */
export function flashTo(session: Session, message: string, category: string): void {
  const stored = session.get(KEY);
  const list = Array.isArray(stored) ? stored.filter(isFlashed) : [];
  list.push([category, String(message)]);
  session.set(KEY, list);
}

/** @internal `req.getFlashedMessages`. */
export function flashedMessagesOf(
  req: Request<unknown>,
  options: FlashOptions = {},
): FlashedMessage[] | string[] {
  let messages = taken.get(req);
  if (messages === undefined) {
    const session = req.session;
    const stored = session.has(KEY) ? session.get(KEY) : undefined;
    if (stored !== undefined) session.delete(KEY);
    messages = Array.isArray(stored) ? stored.filter(isFlashed) : [];
    taken.set(req, messages);
  }
  let selected = messages;
  if (options.categoryFilter !== undefined) {
    const wanted = new Set(options.categoryFilter);
    selected = messages.filter(([category]) => wanted.has(category));
  }
  return options.withCategories === true
    ? selected.map(([category, message]): FlashedMessage => [category, message])
    : selected.map(([, message]) => message);
}

function isFlashed(value: unknown): value is FlashedMessage {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === "string" &&
    typeof value[1] === "string"
  );
}
