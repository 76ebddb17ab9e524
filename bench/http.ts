/**
 * HTTP throughput: every framework serves the same apps, each in its own process, started once.
 * autocannon (100 connections, pipelining 10) drives them from this process; scenarios and
 * frameworks are interleaved over several rounds so drift on a shared machine hits all alike.
 * Reported: the median requests/s over rounds, and the median of the per-round ratios to raw
 * node:http measured in the same round.
 */
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import autocannon from "autocannon";
import type { AppKind, Scenario } from "./lib/scenarios.ts";
import { scenarios } from "./lib/scenarios.ts";
import { median } from "./lib/stats.ts";
import { verifyGithubApp, verifyScenario } from "./lib/verify.ts";

export const FRAMEWORKS = [
  "node-http",
  "phial",
  "phial-context",
  "fastify",
  "hono",
  "h3",
  "express",
  "koa",
] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The npm package whose version each framework reports. */
const PACKAGE: Record<Framework, string | null> = {
  "node-http": null,
  phial: null,
  "phial-context": null,
  fastify: "fastify",
  hono: "@hono/node-server",
  h3: "h3",
  express: "express",
  koa: "koa",
};

export interface HttpOptions {
  rounds: number;
  /** Seconds per autocannon run. */
  duration: number;
  connections: number;
  pipelining: number;
  /** Seconds of untimed load per server and scenario before the first round. */
  warmup: number;
  frameworks: readonly Framework[];
  /** Whether servers ran pinned to CPU 1 and autocannon to CPU 0 (taskset). */
  pinned: boolean;
}

export const defaultHttpOptions: HttpOptions = {
  rounds: Number(process.env.BENCH_ROUNDS ?? 5),
  duration: Number(process.env.BENCH_DURATION ?? 3),
  connections: 100,
  pipelining: 10,
  warmup: 2,
  frameworks: frameworksFromEnv(),
  pinned: false,
};

/** `BENCH_FRAMEWORKS=phial,fastify` narrows a run (node-http, the baseline, is always kept). */
function frameworksFromEnv(): readonly Framework[] {
  const wanted = process.env.BENCH_FRAMEWORKS?.split(",").map((f) => f.trim());
  if (wanted === undefined) return FRAMEWORKS;
  for (const f of wanted) {
    if (!(FRAMEWORKS as readonly string[]).includes(f)) {
      throw new Error(`BENCH_FRAMEWORKS: unknown "${f}"; choose from ${FRAMEWORKS.join(", ")}.`);
    }
  }
  return FRAMEWORKS.filter((f) => f === "node-http" || wanted.includes(f));
}

export interface HttpCell {
  framework: Framework;
  scenario: string;
  /** Requests/s of each round, in round order. */
  perRound: number[];
  /** This framework's requests/s divided by node:http's in the same round. */
  ratios: number[];
  medianRps: number;
  medianRatio: number;
  /** Socket errors and timeouts over all rounds; wrong statuses are counted as errors too. */
  errors: number;
  /** The server process's CPU time (user + system) per request served, median over rounds. */
  cpuMicrosPerRequest: number;
  /** node:http's CPU per request over this framework's: 1 means as cheap as raw node:http. */
  cpuVsNode: number;
}

export interface HttpResult {
  options: HttpOptions;
  versions: Record<string, string>;
  cells: HttpCell[];
}

export function frameworkVersion(framework: Framework): string {
  const pkg = PACKAGE[framework];
  if (framework === "node-http") return process.version;
  const file =
    pkg === null
      ? new URL("../package.json", import.meta.url)
      : new URL(`node_modules/${pkg}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

interface Server {
  framework: Framework;
  app: AppKind;
  base: string;
  child: ChildProcess;
}

async function startServer(
  framework: Framework,
  app: AppKind,
  port: number,
  log: number,
  pinned: boolean,
): Promise<Server> {
  const child = fork(
    new URL("lib/server-process.ts", import.meta.url),
    [framework, app, String(port)],
    {
      // With taskset, every server runs on CPU 1 and this process (autocannon) on CPU 0, so
      // the scheduler cannot put a server on the load generator's core for a round.
      ...(pinned
        ? { execPath: "taskset", execArgv: ["-c", "1", process.execPath, "--import", "tsx"] }
        : { execArgv: ["--import", "tsx"] }),
      env: { ...process.env, NODE_ENV: "production" },
      // Servers log to a file: some print every EPIPE when autocannon hangs up mid-pipeline.
      stdio: ["ignore", log, log, "ipc"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) =>
      reject(new Error(`${framework}/${app} exited with ${code}; see bench/results/servers.log`)),
    );
  });
  return { framework, app, base: `http://127.0.0.1:${port}`, child };
}

function load(
  server: Server,
  s: Scenario,
  o: HttpOptions,
  seconds: number,
): Promise<autocannon.Result> {
  return autocannon({
    url: server.base + s.path,
    method: s.method,
    headers: s.headers,
    body: s.body,
    connections: o.connections,
    pipelining: o.pipelining,
    duration: seconds,
  });
}

/**
 * CPU time (user + system) a process has used, in microseconds, from /proc (Linux). On a
 * 2-core machine the load generator can bound requests/s; the server's own CPU per request
 * is the framework's cost whichever side saturates first. NaN where /proc is missing.
 */
function cpuMicros(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the ")" that closes the command name; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

// USER_HZ: 100 on every Linux architecture Node supports.
const CLOCK_TICKS = 100;

/**
 * Linux with two or more CPUs and taskset: pins this process (autocannon) to CPU 0 for the HTTP
 * part only, and returns a function that gives it every CPU back (the other parts spawn
 * processes that would inherit the pin). `null` when pinning is not possible.
 */
function pinLoadGenerator(): (() => void) | null {
  const cpus = availableParallelism();
  if (cpus < 2) return null;
  const pid = String(process.pid);
  try {
    execFileSync("taskset", ["-a", "-p", "-c", "0", pid], { stdio: "ignore" });
  } catch {
    return null;
  }
  return () =>
    execFileSync("taskset", ["-a", "-p", "-c", `0-${cpus - 1}`, pid], { stdio: "ignore" });
}

/** Rotates the order each round so no framework always runs first or last. */
function rotated<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export async function runHttpBench(
  options: Partial<HttpOptions> = {},
  log: (line: string) => void = console.error,
): Promise<HttpResult> {
  const unpin = pinLoadGenerator();
  const o = { ...defaultHttpOptions, ...options, pinned: unpin !== null };
  if (!o.frameworks.includes("node-http")) throw new Error("node-http is the baseline; keep it");
  const servers = new Map<string, Server>();
  let port = 42100;
  const logFile = new URL("results/servers.log", import.meta.url);
  mkdirSync(new URL(".", logFile), { recursive: true });
  const logFd = openSync(logFile, "w");
  try {
    for (const framework of o.frameworks) {
      for (const app of ["basic", "github"] as const) {
        const server = await startServer(framework, app, port++, logFd, o.pinned);
        servers.set(`${framework}/${app}`, server);
        for (const s of scenarios) if (s.app === app) await verifyScenario(server.base, s);
        if (app === "github" && framework !== "node-http") await verifyGithubApp(server.base);
      }
      log(`verified ${framework}`);
    }
    const serverFor = (f: Framework, s: Scenario) => servers.get(`${f}/${s.app}`) as Server;
    for (const s of scenarios) {
      for (const f of o.frameworks) await load(serverFor(f, s), s, o, o.warmup);
    }
    log("warmed up");
    const rps = new Map<string, number[]>();
    const errors = new Map<string, number>();
    const cpu = new Map<string, number[]>();
    for (let round = 0; round < o.rounds; round++) {
      for (const s of scenarios) {
        for (const f of rotated(o.frameworks, round)) {
          const key = `${f}\u0000${s.name}`;
          const server = serverFor(f, s);
          const before = cpuMicros(server.child.pid);
          const r = await load(server, s, o, o.duration);
          const used = cpuMicros(server.child.pid) - before;
          cpu.set(key, [...(cpu.get(key) ?? []), used / Math.max(1, r.requests.total)]);
          const wrong = s.status === 200 ? r.non2xx : r["2xx"];
          errors.set(key, (errors.get(key) ?? 0) + r.errors + r.timeouts + wrong);
          rps.set(key, [...(rps.get(key) ?? []), r.requests.average]);
        }
      }
      log(`round ${round + 1}/${o.rounds} done`);
    }
    const cells: HttpCell[] = [];
    for (const s of scenarios) {
      const base = rps.get(`node-http\u0000${s.name}`) ?? [];
      const baseCpu = median(cpu.get(`node-http\u0000${s.name}`) ?? []);
      for (const f of o.frameworks) {
        const key = `${f}\u0000${s.name}`;
        const perRound = rps.get(key) ?? [];
        const ratios = perRound.map((v, i) => v / (base[i] ?? Number.NaN));
        cells.push({
          framework: f,
          scenario: s.name,
          perRound,
          ratios,
          medianRps: median(perRound),
          medianRatio: median(ratios),
          errors: errors.get(key) ?? 0,
          cpuMicrosPerRequest: median(cpu.get(key) ?? []),
          cpuVsNode: baseCpu / median(cpu.get(key) ?? []),
        });
      }
    }
    const versions = Object.fromEntries(o.frameworks.map((f) => [f, frameworkVersion(f)]));
    return { options: o, versions, cells };
  } finally {
    for (const server of servers.values()) server.child.kill();
    closeSync(logFd);
    unpin?.();
  }
}
