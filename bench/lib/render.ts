/** Writes BENCHMARKS.md from the saved results of each part, plus the notes in bench/notes.md. */
import { readFileSync } from "node:fs";
import type { ColdResult } from "../coldstart.ts";
import type { FootprintResult } from "../footprint.ts";
import type { HttpCell, HttpResult } from "../http.ts";
import { type LookupResult, lookupTable } from "../routers/lookup.ts";
import { phialSummary, type ScalingResult, scalingTable } from "../routers/scaling.ts";
import { type SoakResult, soakSection } from "../soak/result.ts";
import type { Machine, Saved } from "./machine.ts";
import { scenarios } from "./scenarios.ts";
import { fmt } from "./stats.ts";

export interface AllResults {
  http: Saved<HttpResult> | undefined;
  lookup: Saved<LookupResult[]> | undefined;
  scaling: Saved<ScalingResult> | undefined;
  cold: Saved<ColdResult> | undefined;
  footprint: Saved<FootprintResult> | undefined;
  soak: Saved<SoakResult> | undefined;
}

function machineLine(m: Machine): string {
  return `Measured ${m.date.slice(0, 10)} on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB, ${m.kernel}), Node ${m.node}.`;
}

const MET = (ok: boolean) => (ok ? "**met**" : "**not met**");

function httpSection(saved: Saved<HttpResult>): string {
  const { data } = saved;
  const o = data.options;
  const fws = o.frameworks;
  const cell = (f: string, s: string) =>
    data.cells.find((c) => c.framework === f && c.scenario === s);
  const lines = [
    "## HTTP throughput",
    "",
    machineLine(saved.machine),
    `autocannon, ${o.connections} connections, pipelining ${o.pipelining}, ${o.duration} s per run, ${o.rounds} rounds after ${o.warmup} s of warm-up per server and scenario${o.pinned ? "; servers pinned to CPU 1 and autocannon to CPU 0 with taskset" : ""}. Every cell: median requests/s over the rounds, and in brackets the median of the per-round ratios to raw node:http.`,
    "",
    `| scenario | ${fws.map((f) => `${f} ${data.versions[f] ?? ""}`).join(" | ")} |`,
    `|---|${fws.map(() => "--:").join("|")}|`,
  ];
  for (const s of scenarios) {
    const row = fws.map((f) => {
      const c = cell(f, s.name);
      if (c === undefined) return "n/a";
      const errors = c.errors > 0 ? ` ⚠ ${c.errors} errors` : "";
      return `${fmt(c.medianRps)} (${fmt(c.medianRatio, 2)})${errors}`;
    });
    lines.push(`| ${s.name} | ${row.join(" | ")} |`);
  }
  lines.push(
    "",
    "The server process's CPU time per request (µs, user + system, from /proc; median over rounds), and in brackets node:http's CPU per request over this framework's (1.00: as cheap as raw node:http). On two cores autocannon and the server each hold one, so requests/s partly measures the load generator; CPU per request is the framework's own cost.",
    "",
    `| scenario | ${fws.join(" | ")} |`,
    `|---|${fws.map(() => "--:").join("|")}|`,
  );
  for (const s of scenarios) {
    const row = fws.map((f) => {
      const c = cell(f, s.name);
      return c === undefined ? "n/a" : `${fmt(c.cpuMicrosPerRequest, 2)} (${fmt(c.cpuVsNode, 2)})`;
    });
    lines.push(`| ${s.name} | ${row.join(" | ")} |`);
  }
  lines.push("", "Targets, per scenario (on the requests/s ratio, as the issue sets them):", "");
  for (const s of scenarios) {
    const phial = cell("phial", s.name);
    if (phial === undefined) continue;
    const peers = ["fastify", "hono", "h3"].filter((f) => fws.includes(f as never));
    const behind = peers.filter((f) => (cell(f, s.name)?.medianRatio ?? 0) >= phial.medianRatio);
    lines.push(
      `- ${s.name}: phial at ${fmt(phial.medianRatio, 3)} of node:http, target 0.95 ${MET(phial.medianRatio >= 0.95)}; ahead of ${peers.join(", ")} ${MET(behind.length === 0)}${behind.length > 0 ? ` (behind or level with ${behind.join(", ")})` : ""}.`,
    );
  }
  if (fws.includes("phial-context")) lines.push("", ...contextLines(cell));
  return lines.join("\n");
}

/** What turning context locals on costs: phial-context against phial in the same rounds. */
function contextLines(cell: (f: string, s: string) => HttpCell | undefined): string[] {
  const lines = [
    "### Context locals",
    "",
    "`phial` is an app created without `contextLocals` (the default), its handlers using `req`: the dispatcher's only extra work is one boolean test per request. `phial-context` is the same app with `contextLocals: true`, its handlers reading `request` (AsyncLocalStorage). Ratios are of the medians above; CPU is µs per request.",
    "",
    "| scenario | phial (ratio to node:http) | phial-context (ratio) | phial-context / phial, req/s | CPU µs phial → phial-context |",
    "|---|--:|--:|--:|--:|",
  ];
  for (const s of scenarios) {
    const plain = cell("phial", s.name);
    const ctx = cell("phial-context", s.name);
    if (plain === undefined || ctx === undefined) continue;
    lines.push(
      `| ${s.name} | ${fmt(plain.medianRatio, 3)} | ${fmt(ctx.medianRatio, 3)} | ${fmt(ctx.medianRps / plain.medianRps, 3)} | ${fmt(plain.cpuMicrosPerRequest, 2)} → ${fmt(ctx.cpuMicrosPerRequest, 2)} |`,
    );
  }
  return lines;
}

function lookupSection(saved: Saved<LookupResult[]>): string {
  const sorted = [...saved.data].sort((a, b) => a.iterationP50Ns - b.iterationP50Ns);
  const fastest = sorted[0]?.router;
  return [
    "## Route lookup (GitHub API set)",
    "",
    machineLine(saved.machine),
    "mitata, one process; one iteration is all 203 routes' requests in file order plus one miss (204 lookups). Each router was first checked to return the right route and params for every request. find-my-way and rou3 are measured in both of their modes; Fastify uses find-my-way's compiled mode.",
    "",
    lookupTable(saved.data),
    "",
    `Target, the fastest of the compared routers: ${MET(fastest === "phial")}${fastest === "phial" ? "" : ` (fastest: ${fastest})`}.`,
  ].join("\n");
}

function scalingSection(saved: Saved<ScalingResult>): string {
  return [
    "## Scaling",
    "",
    machineLine(saved.machine),
    "N routes, three of every four dynamic (`/api/v1/resource{i}/:id/sub{i%7}/:child`), every fourth static. Build: a fresh router, every route added, ready for its first lookup; median of fresh builds in one process (each with its own route text, so no router reuses a regex V8 cached from the previous build). Lookup: the last registered dynamic route, mitata p50. phial's cold build is the one build of a fresh `node` process on dist/.",
    "",
    scalingTable(saved.data),
    "",
    phialSummary(saved.data),
  ].join("\n");
}

function coldSection(saved: Saved<ColdResult>): string {
  const lines = [
    "## Cold start",
    "",
    machineLine(saved.machine),
    `A fresh \`node\` process imports the framework, registers 1000 routes (three of four dynamic), listens and answers its first request; the time is \`performance.now()\` when the answer arrived, median of ${saved.data.runs} interleaved runs. phial runs from dist/ as installed; raw node:http keeps the paths in a Map (its floor).`,
    "",
    "| framework | median (ms) | over raw node:http (ms) |",
    "|---|--:|--:|",
  ];
  for (const r of saved.data.rows) {
    lines.push(`| ${r.framework} | ${fmt(r.medianMs, 1)} | ${fmt(r.overNodeMs, 1)} |`);
  }
  return lines.join("\n");
}

function footprintSection(saved: Saved<FootprintResult>): string {
  const lines = [
    "## Dependency footprint",
    "",
    machineLine(saved.machine),
    `What \`npm install <framework>\` puts in an empty project (npm ${saved.data.npm}, scripts not run): packages in node_modules, the framework included, from npm's record of the tree; size is the bytes of every file under node_modules. phial is the tarball \`npm pack\` makes of this checkout; the peers are the versions bench/package.json pins. Hono needs @hono/node-server to serve on Node.`,
    "",
    "| install | packages | size (MB) | with install scripts |",
    "|---|--:|--:|--:|",
  ];
  for (const r of saved.data.rows) {
    const what = r.specs.map((s) => (s.endsWith(".tgz") ? "phial (packed)" : s)).join(" + ");
    lines.push(`| ${what} | ${r.packages} | ${fmt(r.bytes / 1e6, 2)} | ${r.installScripts} |`);
  }
  return lines.join("\n");
}

export function renderBenchmarks(all: AllResults): string {
  const notes = readFileSync(new URL("../notes.md", import.meta.url), "utf8").trim();
  const sections = [
    "# Benchmarks",
    "",
    "Generated by `npm run bench` (bench/index.ts) from bench/results/*.json; the notes at the end are bench/notes.md. Rerun everything with `npm run bench`, or one part with `npm run bench -- http` (parts: http, lookup, scaling, cold, footprint; `render` only rewrites this file from the saved results). `BENCH_ROUNDS` and `BENCH_DURATION` change the HTTP rounds and seconds per run. The soak section comes from `npm run soak` (bench/soak.ts). The machine is small and shared, so compare ratios within one run, not absolute numbers across runs.",
    "",
    all.http ? httpSection(all.http) : "## HTTP throughput\n\nNot run yet.",
    "",
    all.lookup ? lookupSection(all.lookup) : "## Route lookup\n\nNot run yet.",
    "",
    all.scaling ? scalingSection(all.scaling) : "## Scaling\n\nNot run yet.",
    "",
    all.cold ? coldSection(all.cold) : "## Cold start\n\nNot run yet.",
    "",
    all.footprint ? footprintSection(all.footprint) : "## Dependency footprint\n\nNot run yet.",
    "",
    all.soak ? soakSection(all.soak) : "## Soak\n\nNot run yet.",
    "",
    notes,
    "",
  ];
  return sections.join("\n");
}
