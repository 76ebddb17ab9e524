/**
 * The soak server as the parent sees it: a child process (bench/soak/server.ts) whose memory
 * after a forced GC comes over IPC, and whose open fds, RSS and CPU time come from /proc, so
 * the measuring never runs inside the process measured.
 */
import { type ChildProcess, fork } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import type { AppGauges } from "./app.ts";

/** Messages from the parent. */
export type ToServer = { type: "probe"; id: number };
/** Messages from the server. */
export type ToParent =
  | { type: "ready"; port: number }
  | { type: "probe"; id: number; memory: NodeJS.MemoryUsage; gauges: AppGauges };

/** One look at the server: memory right after a forced GC, fds and CPU time at that moment. */
export interface Probe {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Resident set size from /proc/<pid>/status (VmRSS), in bytes. */
  rss: number;
  fds: number;
  /** User + system CPU time used so far, in seconds. */
  cpuSeconds: number;
  gauges: AppGauges;
}

// USER_HZ: 100 on every Linux architecture Node supports.
const CLOCK_TICKS = 100;

export class SoakServer {
  readonly port: number;
  readonly #child: ChildProcess;
  #nextId = 1;
  #exit: string | null = null;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.port = port;
    child.on("exit", (code, signal) => {
      this.#exit = `the server exited (code ${code}, signal ${signal})`;
    });
  }

  /** Forks the server over the app rooted at `root`; its uploads go to `tmp`. */
  static async start(root: string, tmp: string, log: number): Promise<SoakServer> {
    const child = fork(new URL("server.ts", import.meta.url), [root], {
      execArgv: ["--expose-gc", "--import", "tsx"],
      // os.tmpdir() follows TMPDIR: upload temp files land where the soak can count them.
      env: { ...process.env, NODE_ENV: "production", TMPDIR: tmp },
      stdio: ["ignore", log, log, "ipc"],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once("message", (m: ToParent) => (m.type === "ready" ? resolve(m.port) : undefined));
      child.once("exit", (code) =>
        reject(new Error(`The soak server exited with ${code}; see bench/results/soak-server.log`)),
      );
    });
    return new SoakServer(child, port);
  }

  get pid(): number {
    return this.#child.pid as number;
  }

  /** Why the server is gone, or `null` while it runs. */
  get exited(): string | null {
    return this.#exit;
  }

  /** Forces a GC in the server, then reads its memory, gauges, fds, RSS and CPU time. */
  async probe(): Promise<Probe> {
    const id = this.#nextId++;
    const answer = await new Promise<Extract<ToParent, { type: "probe" }>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("The server did not answer a probe.")),
        30_000,
      );
      const onMessage = (m: ToParent) => {
        if (m.type !== "probe" || m.id !== id) return;
        clearTimeout(timer);
        this.#child.off("message", onMessage);
        resolve(m);
      };
      this.#child.on("message", onMessage);
      this.#child.send({ type: "probe", id } satisfies ToServer);
    });
    return {
      heapUsed: answer.memory.heapUsed,
      heapTotal: answer.memory.heapTotal,
      external: answer.memory.external,
      arrayBuffers: answer.memory.arrayBuffers,
      rss: this.rss(),
      fds: this.fds(),
      cpuSeconds: this.cpuSeconds(),
      gauges: answer.gauges,
    };
  }

  /** Open file descriptors: sockets, files, pipes. */
  fds(): number {
    return readdirSync(`/proc/${this.pid}/fd`).length;
  }

  rss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return Number(kib) * 1024;
  }

  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
    // Fields after the ")" that closes the command name; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }

  stop(): void {
    this.#child.kill();
  }
}
