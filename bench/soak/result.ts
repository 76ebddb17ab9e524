/**
 * What a soak run records (bench/results/soak.json), the rules that pass or fail it, and its
 * section of BENCHMARKS.md, which `npm run soak` also prints.
 */
import type { Machine, Saved } from "../lib/machine.ts";
import { fmt, median } from "../lib/stats.ts";

export interface SoakOptions {
  durationSeconds: number;
  warmupSeconds: number;
  sampleSeconds: number;
  /** Keep-alive workers sending normal traffic, each with one request in flight. */
  connections: number;
  /** Hostile connections opened per second. */
  hostilePerSecond: number;
}

/** The server at rest: after the traffic stopped, its sockets closed and a forced GC. */
export interface Snapshot {
  heapUsed: number;
  rss: number;
  fds: number;
  /** Upload temporary files (phial-upload-*) in the server's TMPDIR. */
  tempFiles: number;
  /** Requests whose teardown hook has not run. */
  inFlight: number;
  /** Streamed answers whose generator has not finished. */
  openStreams: number;
}

/** One look during the load, every `sampleSeconds`. */
export interface Sample extends Snapshot {
  /** Seconds since the load started. */
  t: number;
  normalServed: number;
  normalErrors: number;
  hostileStarted: number;
  /** Hostile connections open on the client side at that moment (slowloris mostly). */
  hostileOpen: number;
  /** Normal requests per second since the previous sample. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** The server's CPU use since the previous sample, in % of one core. */
  cpuPercent: number;
}

export interface Tolerances {
  fds: number;
  heapBytes: number;
}

export interface SoakResult {
  options: SoakOptions;
  tolerances: Tolerances;
  warmup: {
    normalServed: number;
    normalErrors: number;
    hostileStarted: number;
    hostileUnexpected: number;
  };
  normal: {
    served: number;
    errors: number;
    errorKinds: Record<string, number>;
    byRequest: Record<string, number>;
    requestsPerSecond: number;
  };
  hostile: {
    started: number;
    outcomes: Record<string, Record<string, number>>;
    expected: Record<string, readonly string[]>;
    unexpected: number;
    slowlorisSeconds: { count: number; median: number; max: number };
  };
  start: Snapshot;
  end: Snapshot;
  samples: Sample[];
  /** Log calls the server made, by level, and how many 500s the throwing routes answered. */
  logged: Record<string, number>;
  /** Log calls by level and text (numbers masked). */
  messages: Record<string, number>;
  thrown: number;
  /** CPU use over the load, in % of one core: the server's, and the load generator's own. */
  serverCpuPercent: number;
  loadCpuPercent: number;
  failures: string[];
}

/** Outcomes that say nothing about the server: the soak itself ended the attack. */
export const NEUTRAL_OUTCOMES = ["cut at stop"];

/** The rules a run must keep; each broken one is a line in `failures`. */
export function judgeSoak(r: Omit<SoakResult, "failures">): string[] {
  const failures: string[] = [];
  const errors = r.warmup.normalErrors + r.normal.errors;
  if (errors > 0) failures.push(`${errors} normal requests got a wrong answer or none`);
  const fdGrowth = r.end.fds - r.start.fds;
  if (fdGrowth > r.tolerances.fds) {
    failures.push(`open fds grew by ${fdGrowth} (tolerance ${r.tolerances.fds})`);
  }
  const heapGrowth = r.end.heapUsed - r.start.heapUsed;
  if (heapGrowth > r.tolerances.heapBytes) {
    failures.push(
      `heap after GC grew by ${mib(heapGrowth)} MiB (tolerance ${mib(r.tolerances.heapBytes)} MiB)`,
    );
  }
  if (r.end.tempFiles > 0) failures.push(`${r.end.tempFiles} upload temporary files left behind`);
  if (r.end.inFlight !== 0) failures.push(`${r.end.inFlight} requests never tore down`);
  if (r.end.openStreams !== 0)
    failures.push(`${r.end.openStreams} streamed answers never finished`);
  const unexpected = r.hostile.unexpected + r.warmup.hostileUnexpected;
  if (unexpected > 0) {
    failures.push(`${unexpected} hostile requests got an outcome outside the expected ones`);
  }
  return failures;
}

const mib = (bytes: number) => fmt(bytes / 2 ** 20, 1);

function machineLine(m: Machine): string {
  return `Measured ${m.date.slice(0, 10)} on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB, ${m.kernel}), Node ${m.node}.`;
}

/** Spreads at most `max` rows over the samples, always keeping the first and the last. */
function thin<T>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max) return [...rows];
  const step = (rows.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => rows[Math.round(i * step)] as T);
}

export function soakSection(saved: Saved<SoakResult>): string {
  const { data: r } = saved;
  const o = r.options;
  const kinds = Object.keys(r.hostile.expected);
  const verdict = r.failures.length === 0 ? "**passed**" : `**failed**: ${r.failures.join("; ")}`;
  const growth = (a: number, b: number, unit: (n: number) => string) =>
    `${b - a >= 0 ? "+" : ""}${unit(b - a)}`;
  const lines = [
    "## Soak",
    "",
    machineLine(saved.machine),
    `\`npm run soak\` (bench/soak.ts): the soak app (bench/soak/app.ts: JSON routes with params, a JSON POST merged into defaults, a form, a multipart upload, static files, a signed-cookie session, a streamed answer, hooks, error handlers, routes that throw) runs from dist/ in a child process started with \`--expose-gc\`. For ${fmt(o.durationSeconds)} s, ${o.connections} keep-alive workers send a fixed mix of well-formed requests over node:http as fast as it answers, each answer checked (status, body, the afterRequest header); meanwhile raw \`net\` clients open ${fmt(o.hostilePerSecond)} hostile connections per second, cycling through ${kinds.length} kinds of attack. Start: after ${fmt(o.warmupSeconds)} s of the same traffic, once its connections have closed; end: once the load has stopped and its connections have closed. Heap is \`heapUsed\` right after a forced GC (two \`gc()\` calls), RSS and fds are read from /proc. Every ${fmt(o.sampleSeconds)} s a sample is taken under load the same way.`,
    "",
    `Verdict: ${verdict}. Rules: no normal request may get a wrong answer, an error or a timeout; open fds may grow by at most ${r.tolerances.fds} and heap after GC by at most ${mib(r.tolerances.heapBytes)} MiB; no upload temporary file, unfinished teardown or unfinished stream may remain; every hostile request must get one of its kind's expected outcomes.`,
    "",
    "| | start | end | change |",
    "|---|--:|--:|--:|",
    `| heap used after GC (MiB) | ${mib(r.start.heapUsed)} | ${mib(r.end.heapUsed)} | ${growth(r.start.heapUsed, r.end.heapUsed, mib)} |`,
    `| RSS (MiB) | ${mib(r.start.rss)} | ${mib(r.end.rss)} | ${growth(r.start.rss, r.end.rss, mib)} |`,
    `| open fds | ${r.start.fds} | ${r.end.fds} | ${growth(r.start.fds, r.end.fds, String)} |`,
    `| upload temp files | ${r.start.tempFiles} | ${r.end.tempFiles} | |`,
    `| requests not torn down / streams open | ${r.start.inFlight} / ${r.start.openStreams} | ${r.end.inFlight} / ${r.end.openStreams} | |`,
    "",
    `Normal traffic: ${fmt(r.normal.served)} requests answered (${fmt(r.normal.requestsPerSecond)}/s; CPU in % of one core: server ${fmt(r.serverCpuPercent)}, load generator ${fmt(r.loadCpuPercent)}), ${r.normal.errors} errors; warm-up ${fmt(r.warmup.normalServed)} requests, ${r.warmup.normalErrors} errors. The throwing routes answered ${fmt(r.thrown)} requests with 500; the server's log lines (warm-up included), by text:`,
    "",
  ];
  for (const [text, n] of Object.entries(r.messages).sort((a, b) => b[1] - a[1])) {
    lines.push(`- ${fmt(n)} × ${text}`);
  }
  const errorKinds = Object.entries(r.normal.errorKinds);
  if (errorKinds.length > 0) {
    lines.push("", "Normal-traffic errors:", "");
    for (const [what, n] of errorKinds.slice(0, 20)) lines.push(`- ${n} × ${what}`);
  }
  lines.push(
    "",
    `Hostile traffic: ${fmt(r.hostile.started)} connections (warm-up: ${fmt(r.warmup.hostileStarted)} more, ${r.warmup.hostileUnexpected} with an unexpected outcome). Outcomes are the status the server answered, or closed (hung up without an answer), reset, aborted (the client hung up on purpose), timeout (no answer in 20 s), cut at stop (still open when the soak ended).`,
    "",
    "| attack | sent | outcomes | expected |",
    "|---|--:|---|---|",
  );
  for (const kind of kinds) {
    const outcomes = r.hostile.outcomes[kind] ?? {};
    const expected = r.hostile.expected[kind] ?? [];
    const sent = Object.values(outcomes).reduce((a, b) => a + b, 0);
    const list = Object.entries(outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([outcome, n]) => {
        const bad = !expected.includes(outcome) && !NEUTRAL_OUTCOMES.includes(outcome);
        return `${bad ? "⚠ " : ""}${outcome} × ${fmt(n)}`;
      });
    lines.push(`| ${kind} | ${fmt(sent)} | ${list.join(", ")} | ${expected.join(", ")} |`);
  }
  const s = r.hostile.slowlorisSeconds;
  const heaps = r.samples.map((x) => x.heapUsed);
  lines.push(
    "",
    `Slowloris connections (a few header bytes every 2 s) were held ${fmt(s.median, 0)} s at the median and ${fmt(s.max, 0)} s at most before the server hung up (${s.count} finished): the soak app keeps phial's defaults, \`headersTimeout\` 20 s checked every second (Node's own are 60 s and 30 s).`,
    "",
    `Heap after GC under load: ${mib(Math.min(...heaps))}–${mib(Math.max(...heaps))} MiB over ${r.samples.length} samples; a least-squares line through them moves ${fmt(slope(r.samples.map((x) => [x.t / 60, x.heapUsed / 1024])), 0)} KiB per minute (RSS: ${fmt(slope(r.samples.map((x) => [x.t / 60, x.rss / 1024])), 0)} KiB per minute).`,
    "",
    `Samples under load (heap after a forced GC; CPU in % of one core since the previous sample; latency of the normal requests since the previous sample; hostile open: client-side hostile connections open, mostly slowloris):`,
    "",
    "| t (s) | normal answered | req/s | p50 / p99 (ms) | hostile sent | hostile open | server CPU % | heap used (MiB) | RSS (MiB) | fds | temp files |",
    "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  );
  for (const x of thin(r.samples, 24)) {
    lines.push(
      `| ${fmt(x.t)} | ${fmt(x.normalServed)} | ${fmt(x.rps)} | ${fmt(x.p50Ms, 1)} / ${fmt(x.p99Ms, 1)} | ${fmt(x.hostileStarted)} | ${x.hostileOpen} | ${fmt(x.cpuPercent)} | ${mib(x.heapUsed)} | ${mib(x.rss)} | ${x.fds} | ${x.tempFiles} |`,
    );
  }
  return lines.join("\n");
}

/** The slope of the least-squares line through `points` ([x, y] pairs); NaN for fewer than 2. */
export function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** The median and largest of a list of milliseconds, in seconds. */
export function secondsSummary(ms: readonly number[]): {
  count: number;
  median: number;
  max: number;
} {
  return {
    count: ms.length,
    median: ms.length === 0 ? Number.NaN : median(ms) / 1000,
    max: ms.length === 0 ? Number.NaN : Math.max(...ms) / 1000,
  };
}
