import type { AddressInfo } from "node:net";

/** One row of `app.rules()`, as the CLI reads it. */
export interface RuleLike {
  readonly rule: string;
  readonly endpoint: string;
  readonly methods: readonly string[];
  readonly blueprint?: string | null;
}

/**
 * What the CLI needs from a phial app. The user's module may load another copy of phial than
 * the CLI (a different version, or `src/` against `dist/`), so `instanceof Phial` would wrongly
 * fail; an app is recognised by its shape instead.
 */
export interface AppLike {
  readonly handler: (...args: never[]) => unknown;
  listen(options: { host?: string; port?: number }): Promise<{
    address(): AddressInfo | string | null;
  }>;
  close(options?: { timeout?: number }): Promise<void>;
  rules(): readonly RuleLike[];
  readonly config: Record<string, unknown>;
}

/**
 * Whether a value has the shape of a phial app: `handler`, `listen`, `close` and `rules`
 * functions (and a `config` object, which every Phial has).
 *
 * @example
 * ```ts
 * isApp(new Phial()); // true
 * isApp({ listen() {} }); // false
 * ```
 */
export function isApp(value: unknown): value is AppLike {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.handler === "function" &&
    typeof v.listen === "function" &&
    typeof v.close === "function" &&
    typeof v.rules === "function" &&
    typeof v.config === "object" &&
    v.config !== null
  );
}

/**
 * A short description of a value for error messages: its type or class, never its contents.
 *
 * @example
 * ```ts
 * describeValue(undefined); // "undefined"
 * describeValue(new Map()); // "a Map"
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (typeof value !== "object")
    return typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "Object" ? `a ${name}` : "an object";
}
