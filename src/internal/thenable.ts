/**
 * Whether a value is a promise or promise-like: what a handler, hook or session interface may
 * return instead of a plain value.
 *
 * @example
 * ```ts
 * if (isThenable(value)) value.then(write, fail); else write(value);
 * ```
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
