/**
 * `npm run soak [-- --duration 3m --connections 64 --hostile-rate 20 --sample 10s --warmup 15s
 * --no-save]`: the soak test. A phial app runs in a child process under sustained normal load
 * mixed with hostile raw-socket traffic; its heap after GC, RSS and open fds are compared at
 * rest before and after, and sampled under load. Prints the result, saves it in
 * bench/results/soak.json and rewrites BENCHMARKS.md (unless --no-save). Exits 1 when a rule in
 * bench/soak/result.ts is broken, 2 on a usage error.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { machine } from "./lib/machine.ts";
import { saveResult, writeBenchmarks } from "./lib/results.ts";
import { median } from "./lib/stats.ts";
import { writeStaticFiles } from "./soak/app.ts";
import { type HostileStats, hostileKinds, startHostile } from "./soak/hostile.ts";
import { normalRequests, startNormal } from "./soak/normal.ts";
import { sleep } from "./soak/raw-client.ts";
import {
  judgeSoak,
  NEUTRAL_OUTCOMES,
  type Sample,
  type Snapshot,
  type SoakOptions,
  type SoakResult,
  secondsSummary,
  soakSection,
  type Tolerances,
} from "./soak/result.ts";
import { type Probe, SoakServer } from "./soak/server-process.ts";

// Fds at rest come back exactly in clean runs; a few of slack for handles Node opens lazily.
// Heap after GC at rest moved by about 1 MiB either way in clean runs. A 3-minute run here
// serves about a million requests, so 8 MiB catches a leak of 8-10 bytes per request.
const TOLERANCES: Tolerances = { fds: 5, heapBytes: 8 * 2 ** 20 };

/** "30s", "3m", "90" (seconds). */
function seconds(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(text.trim());
  if (match === null) usage(`${flag} takes a duration such as 30s or 3m, got "${text}".`);
  return Number(match[1]) * (match[2] === "m" ? 60 : 1);
}

function usage(message: string): never {
  console.error(
    `${message}\nUsage: npm run soak -- [--duration 3m] [--warmup 15s] [--sample 10s] [--connections 64] [--hostile-rate 20] [--no-save]`,
  );
  process.exit(2);
}

function readOptions(): SoakOptions & { save: boolean } {
  let values: {
    duration: string;
    warmup: string;
    sample: string;
    connections: string;
    "hostile-rate": string;
    "no-save"?: boolean;
  };
  try {
    values = parseArgs({
      options: {
        duration: { type: "string", default: "3m" },
        warmup: { type: "string", default: "15s" },
        sample: { type: "string", default: "10s" },
        connections: { type: "string", default: "64" },
        "hostile-rate": { type: "string", default: "20" },
        "no-save": { type: "boolean" },
      },
    }).values;
  } catch (err) {
    usage((err as Error).message);
  }
  const count = (text: string, flag: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1)
      usage(`${flag} takes a positive whole number, got "${text}".`);
    return n;
  };
  return {
    durationSeconds: seconds(values.duration, "--duration"),
    warmupSeconds: seconds(values.warmup, "--warmup"),
    sampleSeconds: seconds(values.sample, "--sample"),
    connections: count(values.connections, "--connections"),
    hostilePerSecond: count(values["hostile-rate"], "--hostile-rate"),
    save: values["no-save"] !== true,
  };
}

const tempFiles = (dir: string) =>
  readdirSync(dir).filter((f) => f.startsWith("phial-upload-")).length;

function snapshot(p: Probe, tmp: string): Snapshot {
  return {
    heapUsed: p.heapUsed,
    rss: p.rss,
    fds: p.fds,
    tempFiles: tempFiles(tmp),
    inFlight: p.gauges.inFlight,
    openStreams: p.gauges.openStreams,
  };
}

/** Waits until the server's fd count has held still for 2 s (30 s at most): sockets closed. */
async function settle(server: SoakServer, tmp: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = -1;
  let still = 0;
  while (Date.now() < deadline && still < 8) {
    const fds = server.fds();
    still = fds === last && tempFiles(tmp) === 0 ? still + 1 : 0;
    last = fds;
    await sleep(250);
  }
}

/** Hostile requests whose outcome is outside their kind's expected ones. */
function unexpectedOutcomes(stats: HostileStats): number {
  let count = 0;
  for (const kind of hostileKinds) {
    for (const [outcome, n] of Object.entries(stats.outcomes[kind.name] ?? {})) {
      if (!kind.expected.includes(outcome) && !NEUTRAL_OUTCOMES.includes(outcome)) count += n;
    }
  }
  return count;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

const options = readOptions();
const log = (line: string) => console.error(`[soak] ${line}`);
const root = mkdtempSync(join(tmpdir(), "phial-soak-"));
const tmp = join(root, "tmp");
mkdirSync(tmp);
writeStaticFiles(root);
const logFile = new URL("results/soak-server.log", import.meta.url);
mkdirSync(new URL(".", logFile), { recursive: true });
const logFd = openSync(logFile, "w");
const server = await SoakServer.start(root, tmp, logFd);
try {
  log(`server pid ${server.pid} on port ${server.port}; warm-up ${options.warmupSeconds} s`);
  const warmNormal = startNormal(server.port, options.connections);
  const warmHostile = startHostile(server.port, options.hostilePerSecond);
  await sleep(options.warmupSeconds * 1000);
  await Promise.all([warmNormal.stop(), warmHostile.stop()]);
  await settle(server, tmp);
  const start = snapshot(await server.probe(), tmp);
  const cpuAtStart = server.cpuSeconds();
  const ownCpuAtStart = process.cpuUsage();
  log(
    `start: heap ${(start.heapUsed / 2 ** 20).toFixed(1)} MiB, fds ${start.fds}; load for ${options.durationSeconds} s`,
  );

  const normal = startNormal(server.port, options.connections);
  const hostile = startHostile(server.port, options.hostilePerSecond);
  const began = performance.now();
  const samples: Sample[] = [];
  let previous = { t: 0, served: 0, cpu: cpuAtStart };
  while (performance.now() - began < options.durationSeconds * 1000) {
    const left = options.durationSeconds * 1000 - (performance.now() - began);
    await sleep(Math.min(options.sampleSeconds * 1000, left));
    if (server.exited !== null) throw new Error(`${server.exited} during the load.`);
    const latencies = normal.stats.latencies.sort((a, b) => a - b);
    normal.stats.latencies = [];
    const t = (performance.now() - began) / 1000;
    const served = normal.stats.served;
    const cpu = server.cpuSeconds();
    const p = await server.probe();
    const sample: Sample = {
      ...snapshot(p, tmp),
      t,
      normalServed: served,
      normalErrors: normal.stats.errors,
      hostileStarted: hostile.stats.started,
      hostileOpen: hostile.open,
      rps: (served - previous.served) / (t - previous.t),
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      cpuPercent: ((cpu - previous.cpu) / (t - previous.t)) * 100,
    };
    previous = { t, served, cpu };
    samples.push(sample);
    log(
      `t=${t.toFixed(0)}s ${served} answered (${sample.rps.toFixed(0)}/s, ${sample.normalErrors} errors), ` +
        `hostile ${sample.hostileStarted} (${sample.hostileOpen} open), heap ${(p.heapUsed / 2 ** 20).toFixed(1)} MiB, ` +
        `rss ${(p.rss / 2 ** 20).toFixed(1)} MiB, fds ${p.fds}, cpu ${sample.cpuPercent.toFixed(0)}%`,
    );
  }
  const elapsed = (performance.now() - began) / 1000;
  const cpuUsed = server.cpuSeconds() - cpuAtStart;
  const ownCpu = process.cpuUsage(ownCpuAtStart);
  await Promise.all([normal.stop(), hostile.stop()]);
  await settle(server, tmp);
  const endProbe = await server.probe();
  const end = snapshot(endProbe, tmp);

  const expected = Object.fromEntries(hostileKinds.map((k) => [k.name, k.expected]));
  const throwing = normalRequests.filter((r) => r.status === 500).map((r) => r.name);
  const thrown = [warmNormal, normal].reduce(
    (sum, run) => sum + throwing.reduce((s, name) => s + (run.stats.byRequest[name] ?? 0), 0),
    0,
  );
  const partial: Omit<SoakResult, "failures"> = {
    options: {
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      sampleSeconds: options.sampleSeconds,
      connections: options.connections,
      hostilePerSecond: options.hostilePerSecond,
    },
    tolerances: TOLERANCES,
    warmup: {
      normalServed: warmNormal.stats.served,
      normalErrors: warmNormal.stats.errors,
      hostileStarted: warmHostile.stats.started,
      hostileUnexpected: unexpectedOutcomes(warmHostile.stats),
    },
    normal: {
      served: normal.stats.served,
      errors: normal.stats.errors,
      errorKinds: { ...warmNormal.stats.errorKinds, ...normal.stats.errorKinds },
      byRequest: normal.stats.byRequest,
      requestsPerSecond: normal.stats.served / elapsed,
    },
    hostile: {
      started: hostile.stats.started,
      outcomes: hostile.stats.outcomes,
      expected,
      unexpected: unexpectedOutcomes(hostile.stats),
      slowlorisSeconds: secondsSummary([
        ...warmHostile.stats.slowlorisMs,
        ...hostile.stats.slowlorisMs,
      ]),
    },
    start,
    end,
    samples,
    logged: endProbe.gauges.logged,
    messages: endProbe.gauges.messages,
    thrown,
    serverCpuPercent: (cpuUsed / elapsed) * 100,
    loadCpuPercent: ((ownCpu.user + ownCpu.system) / 1e6 / elapsed) * 100,
  };
  const result: SoakResult = { ...partial, failures: judgeSoak(partial) };
  console.log(soakSection({ machine: machine(), data: result }));
  if (options.save) {
    saveResult("soak", result);
    writeBenchmarks();
    log("saved bench/results/soak.json and rewrote BENCHMARKS.md");
  }
  if (median(samples.map((s) => s.cpuPercent)) < 80) {
    log(
      "note: the server was not saturated (median CPU under 80% of a core); try more --connections",
    );
  }
  process.exitCode = result.failures.length === 0 ? 0 : 1;
} finally {
  server.stop();
  closeSync(logFd);
  rmSync(root, { recursive: true, force: true });
}
