/**
 * Cold start: a fresh `node` process imports the framework, registers 1000 routes, listens and
 * answers its first request. Each script reports `performance.now()` (milliseconds since its
 * process began) once the first answer arrived; runs are interleaved and the median is kept.
 * Scripts are plain .mjs on plain node, and phial comes from dist/, as an installed user runs it.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median } from "./lib/stats.ts";

export const COLD_FRAMEWORKS = ["node-http", "phial", "fastify"] as const;

export interface ColdResult {
  runs: number;
  rows: { framework: string; medianMs: number; overNodeMs: number; samples: number[] }[];
}

function once(framework: string): number {
  const script = fileURLToPath(new URL(`coldstart/${framework}.mjs`, import.meta.url));
  const out = execFileSync(process.execPath, [script], { encoding: "utf8" });
  return (JSON.parse(out.trim().split("\n").at(-1) ?? "") as { ms: number }).ms;
}

export function runColdStartBench(runs = Number(process.env.BENCH_COLD_RUNS ?? 21)): ColdResult {
  const samples = new Map<string, number[]>(COLD_FRAMEWORKS.map((f) => [f, []]));
  for (const f of COLD_FRAMEWORKS) once(f); // fill the OS file cache first
  for (let i = 0; i < runs; i++) {
    for (const f of COLD_FRAMEWORKS) samples.get(f)?.push(once(f));
  }
  const floor = median(samples.get("node-http") ?? []);
  return {
    runs,
    rows: COLD_FRAMEWORKS.map((framework) => {
      const s = samples.get(framework) ?? [];
      return { framework, medianMs: median(s), overNodeMs: median(s) - floor, samples: s };
    }),
  };
}
