/**
 * `npm run bench [-- part...]`: runs the benchmark parts (http, lookup, scaling, cold, footprint; all by
 * default; `render` runs none), saves each part's results in bench/results/<part>.json with the machine it ran on,
 * then writes BENCHMARKS.md from every saved part, so rerunning one part keeps the others.
 * The soak test has its own command, `npm run soak` (bench/soak.ts), and its own saved part.
 */
import { runColdStartBench } from "./coldstart.ts";
import { runFootprintBench } from "./footprint.ts";
import { runHttpBench } from "./http.ts";
import { saveResult, writeBenchmarks } from "./lib/results.ts";
import { runLookupBench } from "./routers/lookup.ts";
import { runScalingBench } from "./routers/scaling.ts";

const PARTS = ["http", "lookup", "scaling", "cold", "footprint"] as const;
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

for (const part of parts) {
  console.error(`\n== ${part} ==`);
  if (part === "http") saveResult(part, await runHttpBench());
  if (part === "lookup") saveResult(part, await runLookupBench());
  if (part === "scaling") saveResult(part, await runScalingBench());
  if (part === "cold") saveResult(part, runColdStartBench());
  if (part === "footprint") saveResult(part, runFootprintBench());
}

writeBenchmarks();
console.error("\nWrote BENCHMARKS.md");
