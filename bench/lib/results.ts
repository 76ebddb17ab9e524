/**
 * The saved results of every part (bench/results/<part>.json, each with the machine it ran on)
 * and BENCHMARKS.md, written from all of them, so rerunning one part keeps the others.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { ColdResult } from "../coldstart.ts";
import type { FootprintResult } from "../footprint.ts";
import type { HttpResult } from "../http.ts";
import type { LookupResult } from "../routers/lookup.ts";
import type { ScalingResult } from "../routers/scaling.ts";
import type { SoakResult } from "../soak/result.ts";
import { machine, type Saved } from "./machine.ts";
import { renderBenchmarks } from "./render.ts";

/** Each part and the shape of its saved data. */
export interface Parts {
  http: HttpResult;
  lookup: LookupResult[];
  scaling: ScalingResult;
  cold: ColdResult;
  footprint: FootprintResult;
  soak: SoakResult;
}

const results = new URL("../results/", import.meta.url);

export function saveResult<P extends keyof Parts>(part: P, data: Parts[P]): void {
  mkdirSync(results, { recursive: true });
  const saved: Saved<Parts[P]> = { machine: machine(), data };
  writeFileSync(new URL(`${part}.json`, results), `${JSON.stringify(saved, null, 2)}\n`);
}

export function loadResult<P extends keyof Parts>(part: P): Saved<Parts[P]> | undefined {
  try {
    return JSON.parse(readFileSync(new URL(`${part}.json`, results), "utf8")) as Saved<Parts[P]>;
  } catch {
    return undefined;
  }
}

/** Rewrites BENCHMARKS.md from every saved part and bench/notes.md. */
export function writeBenchmarks(): void {
  const markdown = renderBenchmarks({
    http: loadResult("http"),
    lookup: loadResult("lookup"),
    scaling: loadResult("scaling"),
    cold: loadResult("cold"),
    footprint: loadResult("footprint"),
    soak: loadResult("soak"),
  });
  writeFileSync(new URL("../../BENCHMARKS.md", import.meta.url), markdown);
}
