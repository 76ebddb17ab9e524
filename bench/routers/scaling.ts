/**
 * How build time and lookup time grow with the number of routes, N = 10, 100, 1000, 5000.
 *
 * Routes (deterministic, all GET): route i is static every 4th time (`/api/v1/resource{i}/summary`
 * for i % 4 === 3), else dynamic (`/api/v1/resource{i}/:id/sub{i % 7}/:child`).
 *
 * - Build: a fresh router per build: create it, register all N routes (phial: compilePattern +
 *   add), finish it (phial: freeze; find-my-way: compile; rou3 compiled: compileRouter; the
 *   RegExpRouter builds its matchers on the first match) and do one lookup so lazy work is
 *   counted. Median of BUILD_RUNS builds in this process, each of a route set with its own
 *   first segment (see timeBuilds: V8 caches compiled RegExps and generated code by source).
 *   For phial, the cold build is also measured alone: COLD_RUNS fresh `node` processes per N
 *   (cold-build.mjs, plain node on dist/, no tsx), each timing its one and only build; the
 *   median is reported.
 * - Lookup: mitata, one lookup per iteration of the LAST registered dynamic route (the same shape
 *   at every N, so the N=5000 / N=10 ratio compares like with like).
 *
 * Every router is checked to answer every one of the N routes (and a miss) right before timing.
 *
 * Run directly: `node --import tsx bench/routers/scaling.ts` (`--mitata` to see mitata's report).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bench, do_not_optimize, run } from "mitata";
import { fmt as f, median } from "../lib/stats.ts";
import { adapters, makeLoop, type RouterAdapter, type RouteSpec } from "./adapters.ts";
import { statsByName } from "./lookup.ts";

export const SIZES = [10, 100, 1000, 5000] as const;
const BUILD_RUNS = 15;
/** Fewer builds (but at least MIN_BUILD_RUNS) once a router's builds at one N took this long. */
const BUILD_BUDGET_MS = 5000;
const MIN_BUILD_RUNS = 5;
const COLD_RUNS = 5;
const MISS = "/api/v1/no-such-resource/1/sub0/2";

/** Targets phial aims for. */
export const TARGETS = {
  /** lookup(5000) / lookup(10), for the last dynamic route. */
  maxLookupRatio: 1.5,
  /** Build time of 5000 routes, in ms (median of warm builds). */
  maxBuild5000Ms: 50,
} as const;

export interface ScalingRequest {
  readonly method: string;
  readonly path: string;
  readonly id: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface ScalingSet {
  readonly n: number;
  readonly routes: readonly RouteSpec[];
  /** One request per route, in registration order. */
  readonly requests: readonly ScalingRequest[];
  /** The request of the last registered dynamic route: the one timed. */
  readonly target: ScalingRequest;
}

/**
 * The N routes of the scaling benchmark and one request each (deterministic). `prefix` is the
 * first segment; the build timings give each build its own, see timeBuilds().
 */
export function scalingSet(n: number, prefix = "api"): ScalingSet {
  const routes: RouteSpec[] = [];
  const requests: ScalingRequest[] = [];
  let target: ScalingRequest | undefined;
  for (let i = 0; i < n; i++) {
    const method = "GET";
    const dynamic = i % 4 !== 3;
    const pattern = dynamic
      ? `/${prefix}/v1/resource${i}/:id/sub${i % 7}/:child`
      : `/${prefix}/v1/resource${i}/summary`;
    const id = `${method} ${pattern}`;
    routes.push({ method, pattern, id });
    const request: ScalingRequest = dynamic
      ? {
          method,
          path: `/${prefix}/v1/resource${i}/id${i}/sub${i % 7}/child${i}`,
          id,
          params: { id: `id${i}`, child: `child${i}` },
        }
      : { method, path: pattern, id, params: {} };
    requests.push(request);
    if (dynamic) target = request;
  }
  if (target === undefined) throw new Error(`No dynamic route among ${n}`);
  return { n, routes, requests, target };
}

export interface ScalingRow {
  readonly router: string;
  readonly version: string;
  readonly n: number;
  /** Median build time over `buildRuns` fresh builds in this process, in ms. */
  readonly buildMedianMs: number;
  readonly buildMinMs: number;
  readonly buildMaxMs: number;
  /** Builds timed (BUILD_RUNS, fewer for a router whose builds are slow). */
  readonly buildRuns: number;
  /** Lookup of the last dynamic route, ns. */
  readonly lookupP50Ns: number;
  readonly lookupAvgNs: number;
  /** This router's lookup p50 over phial's at the same N. */
  readonly lookupP50VsPhial: number;
}

export interface ColdBuild {
  readonly n: number;
  /** Median over `runs` processes of the one build each does, in ms. */
  readonly medianMs: number;
  readonly allMs: readonly number[];
  readonly runs: number;
}

export interface ScalingResult {
  readonly rows: readonly ScalingRow[];
  /** phial's cold build (first build in a fresh process) per N. */
  readonly phialCold: readonly ColdBuild[];
  readonly phial: {
    /** lookup(5000) / lookup(10). */
    readonly lookupRatioP50: number;
    readonly lookupRatioAvg: number;
    readonly build5000MedianMs: number;
    readonly build5000ColdMs: number;
    readonly lookupRatioTargetMet: boolean;
    readonly buildTargetMet: boolean;
  };
}

function checkRouter(adapter: RouterAdapter, set: ScalingSet): void {
  const built = adapter.build(set.routes);
  const wrong: string[] = [];
  for (const r of set.requests) {
    const got = built.check(r.method, r.path);
    const ok =
      got !== null &&
      got.id === r.id &&
      got.others === undefined &&
      Object.keys(got.params).length === Object.keys(r.params).length &&
      Object.entries(r.params).every(([k, v]) => got.params[k] === v);
    if (!ok) wrong.push(`${r.method} ${r.path}: want "${r.id}", got ${JSON.stringify(got)}`);
  }
  const miss = built.check("GET", MISS);
  if (miss !== null) wrong.push(`GET ${MISS}: want no match, got ${JSON.stringify(miss)}`);
  if (wrong.length > 0) {
    throw new Error(
      `${adapter.name} answers ${wrong.length} of ${set.n + 1} scaling requests wrong at N=${set.n}:\n  ${wrong.slice(0, 10).join("\n  ")}`,
    );
  }
}

/**
 * Build times (ms) of up to `runs` fresh routers, each followed by one lookup of the target.
 *
 * Each build gets route strings no earlier build used (first segment `b<n>r<run>`), because V8
 * caches compiled RegExps and `new Function` code by source text: rebuilding the very same set
 * would let Hono's RegExpRouter (one big RegExp) and the compiling routers skip their real
 * compile cost after the first build. Route set generation is outside the timed span.
 */
function timeBuilds(adapter: RouterAdapter, n: number, runs: number): number[] {
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < runs; i++) {
    if (i >= MIN_BUILD_RUNS && total > BUILD_BUDGET_MS) break;
    const set = scalingSet(n, `b${n}r${i}`);
    const { method, path } = set.target;
    const t0 = process.hrtime.bigint();
    const built = adapter.build(set.routes);
    do_not_optimize(built.find(method, path));
    const t1 = process.hrtime.bigint();
    const ms = Number(t1 - t0) / 1e6;
    total += ms;
    times.push(ms);
  }
  return times;
}

const coldScript = fileURLToPath(new URL("./cold-build.mjs", import.meta.url));

/** phial's first build in fresh `node` processes (see cold-build.mjs). */
function coldBuild(set: ScalingSet, runs: number): ColdBuild {
  const input = JSON.stringify({ routes: set.routes, target: set.target });
  const allMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, [coldScript], { input, encoding: "utf8" });
    if (child.status !== 0) {
      throw new Error(
        `cold-build.mjs failed at N=${set.n} (status ${child.status}):\n${child.stderr}`,
      );
    }
    const out: unknown = JSON.parse(child.stdout);
    if (typeof out !== "object" || out === null || !("ms" in out) || !("found" in out)) {
      throw new Error(`cold-build.mjs printed ${child.stdout}`);
    }
    if (out.found !== set.target.id) {
      throw new Error(`cold build at N=${set.n} found ${String(out.found)}, want ${set.target.id}`);
    }
    allMs.push(Number(out.ms));
  }
  return { n: set.n, medianMs: median(allMs), allMs, runs };
}

export interface ScalingOptions {
  readonly mitataOutput?: boolean;
  readonly routers?: readonly RouterAdapter[];
  readonly sizes?: readonly number[];
  /** Skip the child processes of the cold phial build. */
  readonly skipCold?: boolean;
}

export async function runScalingBench(options: ScalingOptions = {}): Promise<ScalingResult> {
  const routers = options.routers ?? adapters;
  const sizes = options.sizes ?? SIZES;
  const sets = sizes.map((n) => scalingSet(n));

  for (const set of sets) for (const adapter of routers) checkRouter(adapter, set);

  const phialCold = options.skipCold ? [] : sets.map((set) => coldBuild(set, COLD_RUNS));

  const builds = new Map<string, number[]>();
  for (const set of sets) {
    for (const adapter of routers) {
      builds.set(`${adapter.name} @ ${set.n}`, timeBuilds(adapter, set.n, BUILD_RUNS));
    }
  }

  for (const set of sets) {
    for (const adapter of routers) {
      const { find } = adapter.build(set.routes);
      const { method, path } = set.target;
      bench(`${adapter.name} @ ${set.n}`, makeLoop(find, [[method, path]], do_not_optimize));
    }
  }
  const stats = statsByName(await run({ format: options.mitataOutput ? "mitata" : "quiet" }));

  const rows: ScalingRow[] = [];
  for (const set of sets) {
    const phialStats = stats.get(`phial @ ${set.n}`);
    for (const adapter of routers) {
      const key = `${adapter.name} @ ${set.n}`;
      const s = stats.get(key);
      const times = builds.get(key);
      if (s === undefined || times === undefined) throw new Error(`No result for ${key}`);
      rows.push({
        router: adapter.name,
        version: adapter.version,
        n: set.n,
        buildMedianMs: median(times),
        buildMinMs: Math.min(...times),
        buildMaxMs: Math.max(...times),
        buildRuns: times.length,
        lookupP50Ns: s.p50,
        lookupAvgNs: s.avg,
        lookupP50VsPhial: phialStats === undefined ? Number.NaN : s.p50 / phialStats.p50,
      });
    }
  }

  const phialAt = (n: number) => rows.find((r) => r.router === "phial" && r.n === n);
  const small = phialAt(Math.min(...sizes));
  const large = phialAt(Math.max(...sizes));
  const lookupRatioP50 = large && small ? large.lookupP50Ns / small.lookupP50Ns : Number.NaN;
  const lookupRatioAvg = large && small ? large.lookupAvgNs / small.lookupAvgNs : Number.NaN;
  const build5000MedianMs = phialAt(5000)?.buildMedianMs ?? Number.NaN;
  const build5000ColdMs = phialCold.find((c) => c.n === 5000)?.medianMs ?? Number.NaN;
  return {
    rows,
    phialCold,
    phial: {
      lookupRatioP50,
      lookupRatioAvg,
      build5000MedianMs,
      build5000ColdMs,
      lookupRatioTargetMet: lookupRatioP50 <= TARGETS.maxLookupRatio,
      buildTargetMet: build5000MedianMs < TARGETS.maxBuild5000Ms,
    },
  };
}

/** The rows as a markdown table, by N then router. */
export function scalingTable(result: ScalingResult): string {
  const lines = [
    "| N | router | build median (ms) | build min–max (ms) | builds | lookup p50 (ns) | lookup avg (ns) | lookup p50 vs phial |",
    "|--:|---|--:|--:|--:|--:|--:|--:|",
  ];
  for (const r of result.rows) {
    lines.push(
      `| ${r.n} | ${r.router} | ${f(r.buildMedianMs, 3)} | ${f(r.buildMinMs, 3)}–${f(r.buildMaxMs, 3)} | ${r.buildRuns} | ${f(r.lookupP50Ns, 1)} | ${f(r.lookupAvgNs, 1)} | ${f(r.lookupP50VsPhial, 2)}x |`,
    );
  }
  return lines.join("\n");
}

/** Summary lines for phial: cold builds and the targets. */
export function phialSummary(result: ScalingResult): string {
  const lines: string[] = [];
  if (result.phialCold.length > 0) {
    lines.push(
      "| N | phial cold build, median of fresh processes (ms) | each run (ms) |",
      "|--:|--:|---|",
    );
    for (const c of result.phialCold) {
      lines.push(`| ${c.n} | ${f(c.medianMs, 3)} | ${c.allMs.map((ms) => f(ms, 2)).join(", ")} |`);
    }
    lines.push("");
  }
  const p = result.phial;
  lines.push(
    `phial lookup(5000) / lookup(10): ${f(p.lookupRatioP50, 2)}x by p50, ${f(p.lookupRatioAvg, 2)}x by avg ` +
      `(target <= ${TARGETS.maxLookupRatio}x: ${p.lookupRatioTargetMet ? "MET" : "NOT MET"})`,
    `phial build of 5000 routes: ${f(p.build5000MedianMs, 2)} ms median warm, ${f(p.build5000ColdMs, 2)} ms cold ` +
      `(target < ${TARGETS.maxBuild5000Ms} ms: ${p.buildTargetMet ? "MET" : "NOT MET"}` +
      `${Number.isFinite(p.build5000ColdMs) ? `; cold ${p.build5000ColdMs < TARGETS.maxBuild5000Ms ? "also under" : "over"} it` : ""})`,
  );
  return lines.join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runScalingBench({ mitataOutput: process.argv.includes("--mitata") });
  console.log(`\n### Route scaling (last dynamic route looked up), ${process.version}\n`);
  console.log(scalingTable(result));
  console.log("");
  console.log(phialSummary(result));
}
