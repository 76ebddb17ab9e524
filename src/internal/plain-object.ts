/**
 * Whether a value is a plain object (`{}` or `Object.create(null)`), not an array, a class
 * instance or a Map: the shape that becomes JSON, a config section or log fields.
 *
 * @example
 * ```ts
 * isPlainObject({ a: 1 }); // true
 * isPlainObject(new Map()); // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
