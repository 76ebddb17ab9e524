/**
 * Route lookup on the GitHub API set: one iteration is all 203 requests in file order (method +
 * concrete path) plus one miss (GET MISS_PATH), i.e. 204 lookups, timed with mitata. Every
 * router is checked for correct answers first (checkAll).
 *
 * Run directly: `node --import tsx bench/routers/lookup.ts` (add `--mitata` to also see mitata's
 * own report; `node --expose-gc --import tsx ...` lets mitata collect garbage between benchmarks).
 */
import { pathToFileURL } from "node:url";
import { bench, do_not_optimize, run, summary } from "mitata";
import { githubRoutes, MISS_PATH } from "../lib/github-routes.ts";
import { fmt as f } from "../lib/stats.ts";
import { adapters, makeLoop, type RouterAdapter } from "./adapters.ts";
import { checkAll } from "./check.ts";

export interface LookupResult {
  readonly router: string;
  readonly version: string;
  /** Lookups per iteration: 203 routes + 1 miss. */
  readonly lookups: number;
  /** Nanoseconds per iteration (all lookups). */
  readonly iterationP50Ns: number;
  readonly iterationAvgNs: number;
  /** Nanoseconds per lookup (iteration / lookups). */
  readonly lookupP50Ns: number;
  readonly lookupAvgNs: number;
  /** This router's time over phial's (below 1: faster than phial). */
  readonly p50VsPhial: number;
  readonly avgVsPhial: number;
}

export interface LookupOptions {
  /** Print mitata's own report as well (default: quiet). */
  readonly mitataOutput?: boolean;
  readonly routers?: readonly RouterAdapter[];
}

/** mitata's per-benchmark stats, in nanoseconds, as `run()` returns them. */
interface Stats {
  readonly avg: number;
  readonly p50: number;
}

/** The stats of each benchmark of a `run()` result, by benchmark name; throws on a failed one. */
export function statsByName(result: Awaited<ReturnType<typeof run>>): Map<string, Stats> {
  const byName = new Map<string, Stats>();
  for (const trial of result.benchmarks) {
    for (const r of trial.runs) {
      if (r.stats === undefined) {
        throw new Error(`Benchmark "${r.name}" failed: ${String(r.error)}`, { cause: r.error });
      }
      byName.set(r.name, r.stats);
    }
  }
  return byName;
}

export async function runLookupBench(options: LookupOptions = {}): Promise<LookupResult[]> {
  const routers = options.routers ?? adapters;
  checkAll(routers);

  const routes = githubRoutes();
  const requests = [...routes.map((r) => [r.method, r.path] as const), ["GET", MISS_PATH] as const];
  summary(() => {
    for (const adapter of routers) {
      const { find } = adapter.build(routes);
      bench(adapter.name, makeLoop(find, requests, do_not_optimize));
    }
  });
  const stats = statsByName(await run({ format: options.mitataOutput ? "mitata" : "quiet" }));

  const measured = routers.map((adapter) => {
    const s = stats.get(adapter.name);
    if (s === undefined) throw new Error(`mitata returned no result for "${adapter.name}"`);
    return { adapter, s };
  });
  const base = measured.find((m) => m.adapter.pkg === "phial")?.s;
  return measured.map(({ adapter, s }) => ({
    router: adapter.name,
    version: adapter.version,
    lookups: requests.length,
    iterationP50Ns: s.p50,
    iterationAvgNs: s.avg,
    lookupP50Ns: s.p50 / requests.length,
    lookupAvgNs: s.avg / requests.length,
    p50VsPhial: base === undefined ? Number.NaN : s.p50 / base.p50,
    avgVsPhial: base === undefined ? Number.NaN : s.avg / base.avg,
  }));
}

/** The results as a markdown table, fastest (by p50) first. */
export function lookupTable(results: readonly LookupResult[]): string {
  const lines = [
    "| router | version | p50 / iteration (µs) | avg / iteration (µs) | p50 / lookup (ns) | avg / lookup (ns) | p50 vs phial | avg vs phial |",
    "|---|---|--:|--:|--:|--:|--:|--:|",
  ];
  for (const r of [...results].sort((a, b) => a.iterationP50Ns - b.iterationP50Ns)) {
    lines.push(
      `| ${r.router} | ${r.version} | ${f(r.iterationP50Ns / 1000, 2)} | ${f(r.iterationAvgNs / 1000, 2)} | ${f(r.lookupP50Ns, 1)} | ${f(r.lookupAvgNs, 1)} | ${f(r.p50VsPhial, 2)}x | ${f(r.avgVsPhial, 2)}x |`,
    );
  }
  return lines.join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await runLookupBench({ mitataOutput: process.argv.includes("--mitata") });
  const lookups = results[0]?.lookups ?? 0;
  console.log(
    `\n### Route lookup, GitHub API set (${lookups - 1} routes + 1 miss per iteration), ${process.version}\n`,
  );
  console.log(lookupTable(results));
  const fastest = [...results].sort((a, b) => a.iterationP50Ns - b.iterationP50Ns)[0];
  const phialFastest = fastest?.router === "phial";
  console.log(
    `\nTarget "fastest lookup on the GitHub set": ${phialFastest ? "MET" : `NOT MET (fastest: ${fastest?.router})`}`,
  );
}
