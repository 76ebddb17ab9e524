/**
 * Correctness gate for the router benchmarks: every adapter must answer each of the 203 GitHub
 * request paths with the right route id and exactly the expected params (as strings), and must
 * find nothing for MISS_PATH. `checkAll()` throws one error listing every mismatch, so a
 * benchmark never times a router that answers wrongly.
 *
 * Run directly: `node --import tsx bench/routers/check.ts`.
 */
import { pathToFileURL } from "node:url";
import { type GithubRoute, githubRoutes, MISS_PATH } from "../lib/github-routes.ts";
import { adapters, type Decoded, type RouterAdapter } from "./adapters.ts";

export interface CheckSummary {
  readonly router: string;
  readonly version: string;
  /** Requests checked: the routes plus the miss. */
  readonly requests: number;
}

/** How far at most each router's mismatches are listed in the error. */
const MAX_LISTED = 15;

function describe(d: Decoded | null): string {
  if (d === null) return "no match";
  const others = d.others === undefined ? "" : ` (also matched: ${d.others.join(", ")})`;
  return `"${d.id}" ${JSON.stringify(d.params)}${others}`;
}

function sameParams(
  got: Readonly<Record<string, unknown>>,
  want: Readonly<Record<string, string>>,
): boolean {
  const gotKeys = Object.keys(got);
  const wantKeys = Object.keys(want);
  return gotKeys.length === wantKeys.length && wantKeys.every((k) => got[k] === want[k]);
}

/** Mismatches of one router, as readable lines; empty when it answers everything right. */
export function checkAdapter(adapter: RouterAdapter, routes: readonly GithubRoute[]): string[] {
  let built: ReturnType<RouterAdapter["build"]>;
  try {
    built = adapter.build(routes);
  } catch (error) {
    return [`BUILD FAILED: ${error instanceof Error ? error.message : String(error)}`];
  }
  const problems: string[] = [];
  for (const route of routes) {
    let got: Decoded | null;
    try {
      got = built.check(route.method, route.path);
    } catch (error) {
      problems.push(`${route.method} ${route.path}: threw ${String(error)}`);
      continue;
    }
    // A router answering with more than one route (Hono's middleware-style list) is wrong
    // here too: each request path of the set has exactly one right route.
    const ok =
      got !== null &&
      got.id === route.id &&
      sameParams(got.params, route.params) &&
      got.others === undefined;
    if (!ok) {
      problems.push(
        `${route.method} ${route.path}: want "${route.id}" ${JSON.stringify(route.params)}, got ${describe(got)}`,
      );
    }
  }
  const miss = built.check("GET", MISS_PATH);
  if (miss !== null) problems.push(`GET ${MISS_PATH}: want no match, got ${describe(miss)}`);
  return problems;
}

/**
 * Checks every adapter against the GitHub set; throws listing all mismatches, else returns one
 * summary per router.
 */
export function checkAll(list: readonly RouterAdapter[] = adapters): CheckSummary[] {
  const routes = githubRoutes();
  const failures: string[] = [];
  const summaries: CheckSummary[] = [];
  for (const adapter of list) {
    const problems = checkAdapter(adapter, routes);
    if (problems.length > 0) {
      const listed = problems.slice(0, MAX_LISTED).map((p) => `    ${p}`);
      if (problems.length > MAX_LISTED)
        listed.push(`    ... and ${problems.length - MAX_LISTED} more`);
      failures.push(
        `  ${adapter.name} ${adapter.version}: ${problems.length} wrong answer(s)\n${listed.join("\n")}`,
      );
    }
    summaries.push({ router: adapter.name, version: adapter.version, requests: routes.length + 1 });
  }
  if (failures.length > 0) {
    throw new Error(
      `Router correctness check failed on the ${routes.length} GitHub routes + 1 miss:\n${failures.join("\n")}`,
    );
  }
  return summaries;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const s of checkAll()) {
    console.log(`ok  ${s.router} ${s.version}: ${s.requests} requests answered right`);
  }
}
