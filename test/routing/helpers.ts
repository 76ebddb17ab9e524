/** Shared helpers for the routing tests: build a table from patterns, assert on matches. */
import assert from "node:assert/strict";
import { type ConverterRegistry, defaultConverters } from "../../src/routing/converters.ts";
import { compilePattern } from "../../src/routing/pattern.ts";
import { type RouteMatch, RouteTable } from "../../src/routing/table.ts";

/** A route: its pattern, and its methods (GET by default). */
export type RouteSpec = string | readonly [string, readonly string[]];

/**
 * A table whose values are the pattern sources, with an optional "#tag" suffix when two
 * registrations share a source.
 *
 * @example
 * ```ts
 * const t = tableOf(["/a", ["/b", ["POST"]]]);
 * ```
 */
export function tableOf(
  routes: readonly RouteSpec[],
  converters: ConverterRegistry = defaultConverters(),
): RouteTable<string> {
  const table = new RouteTable<string>();
  for (const route of routes) {
    const [pattern, methods] = typeof route === "string" ? [route, ["GET"]] : route;
    table.add(compilePattern(pattern, converters), methods, pattern);
  }
  return table;
}

/**
 * Asserts a "found" match and returns its value and params.
 *
 * @example
 * ```ts
 * assert.equal(found(t, "/users/1").value, "/users/<int:id>");
 * ```
 */
export function found(
  table: RouteTable<string>,
  path: string,
  method = "GET",
): { value: string; params: Record<string, unknown> } {
  const m = table.match(method, path);
  assert.equal(m.type, "found", `${method} ${path} -> ${JSON.stringify(m)}`);
  return m as Extract<RouteMatch<string>, { type: "found" }>;
}

/**
 * Every order of a short list (Heap's algorithm), to prove matching ignores registration order.
 *
 * @example
 * ```ts
 * permutations([1, 2, 3]).length; // 6
 * ```
 */
export function permutations<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  const a = [...items];
  const c = a.map(() => 0);
  out.push([...a]);
  let i = 0;
  while (i < a.length) {
    const ci = c[i] ?? 0;
    if (ci < i) {
      const j = i % 2 === 0 ? 0 : ci;
      [a[j], a[i]] = [a[i] as T, a[j] as T];
      out.push([...a]);
      c[i] = ci + 1;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
  return out;
}
