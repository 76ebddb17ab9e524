import type { RuleLike } from "./app-like.ts";

/** How `phial routes` orders its rows; `match` is registration order, as in Flask. */
export type RouteSort = "endpoint" | "methods" | "rule" | "match";

/** The sort keys `--sort` accepts. */
export const ROUTE_SORTS: readonly RouteSort[] = ["endpoint", "methods", "rule", "match"];

/** Options of {@link formatRoutes}. */
export interface RoutesOptions {
  sort?: RouteSort;
  /** Show HEAD and OPTIONS, which phial answers for every rule without them being registered. */
  allMethods?: boolean;
  json?: boolean;
}

interface Row {
  endpoint: string;
  methods: string[];
  rule: string;
  blueprint: string | null;
}

/**
 * Renders `app.rules()` the way `flask routes` does: an aligned Endpoint/Methods/Rule table,
 * or a JSON array with `--json`. Ends with a newline.
 *
 * @example
 * ```ts
 * formatRoutes(app.rules(), { sort: "rule" });
 * // Endpoint  Methods  Rule
 * // --------  -------  ----
 * // index     GET      /
 * ```
 */
export function formatRoutes(rules: readonly RuleLike[], options: RoutesOptions = {}): string {
  const rows = rules.map(
    (r): Row => ({
      endpoint: r.endpoint,
      methods: visibleMethods(r.methods, options.allMethods === true),
      rule: r.rule,
      blueprint: r.blueprint ?? null,
    }),
  );
  sortRows(rows, options.sort ?? "endpoint");
  if (options.json) return `${JSON.stringify(rows, null, 2)}\n`;
  if (rows.length === 0) return "No routes were registered.\n";
  return table(
    ["Endpoint", "Methods", "Rule"],
    rows.map((r) => [r.endpoint, r.methods.join(", "), r.rule]),
  );
}

/** The methods a rule answers, sorted; HEAD and OPTIONS only when asked for, as in Flask. */
function visibleMethods(methods: readonly string[], all: boolean): string[] {
  const set = new Set(methods.map((m) => m.toUpperCase()));
  if (all) {
    // phial's routing adds these to every rule (GET implies HEAD; OPTIONS is automatic), so the
    // full list shows what the server really answers.
    if (set.has("GET")) set.add("HEAD");
    set.add("OPTIONS");
  } else {
    set.delete("HEAD");
    set.delete("OPTIONS");
  }
  return [...set].sort();
}

function sortRows(rows: Row[], sort: RouteSort): void {
  if (sort === "match") return;
  const key = (r: Row): string =>
    sort === "methods" ? r.methods.join(",") : sort === "rule" ? r.rule : r.endpoint;
  // Array#sort is stable, so ties keep registration order. Code-point order, not the locale's,
  // so the output is the same on every machine.
  rows.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function table(header: readonly string[], body: readonly string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w));
  return `${[header, rule, ...body].map(line).join("\n")}\n`;
}
