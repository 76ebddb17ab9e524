/**
 * `npm run bench [-- part...]`: runs the benchmark parts (http, lookup, scaling, cold; all by
 * default; `render` runs none), saves each part's results in bench/results/<part>.json with the machine it ran on,
 * then writes BENCHMARKS.md from every saved part, so rerunning one part keeps the others.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { type ColdResult, runColdStartBench } from "./coldstart.ts";
import { type HttpResult, runHttpBench } from "./http.ts";
import { machine, type Saved } from "./lib/machine.ts";
import { renderBenchmarks } from "./lib/render.ts";
import { type LookupResult, runLookupBench } from "./routers/lookup.ts";
import { runScalingBench, type ScalingResult } from "./routers/scaling.ts";

const PARTS = ["http", "lookup", "scaling", "cold"] as const;
type Part = (typeof PARTS)[number];

// "render" runs nothing and rewrites BENCHMARKS.md from the saved results (after editing notes).
const asked = process.argv.slice(2).filter((a) => !a.startsWith("-"));
for (const a of asked) {
  if (a !== "render" && !(PARTS as readonly string[]).includes(a)) {
    console.error(`Unknown part "${a}"; choose from: ${PARTS.join(", ")}, or render.`);
    process.exit(2);
  }
}
const parts = (asked.length > 0 ? asked.filter((a) => a !== "render") : PARTS) as readonly Part[];
const results = new URL("results/", import.meta.url);
mkdirSync(results, { recursive: true });

function save<T>(part: Part, data: T): void {
  const saved: Saved<T> = { machine: machine(), data };
  writeFileSync(new URL(`${part}.json`, results), `${JSON.stringify(saved, null, 2)}\n`);
}

function load<T>(part: Part): Saved<T> | undefined {
  try {
    return JSON.parse(readFileSync(new URL(`${part}.json`, results), "utf8")) as Saved<T>;
  } catch {
    return undefined;
  }
}

for (const part of parts) {
  console.error(`\n== ${part} ==`);
  if (part === "http") save(part, await runHttpBench());
  if (part === "lookup") save(part, await runLookupBench());
  if (part === "scaling") save(part, await runScalingBench());
  if (part === "cold") save(part, runColdStartBench());
}

const markdown = renderBenchmarks({
  http: load<HttpResult>("http"),
  lookup: load<LookupResult[]>("lookup"),
  scaling: load<ScalingResult>("scaling"),
  cold: load<ColdResult>("cold"),
});
writeFileSync(new URL("../BENCHMARKS.md", import.meta.url), markdown);
console.error("\nWrote BENCHMARKS.md");
