import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { extname, isAbsolute, relative } from "node:path";
import type { Env } from "./env.ts";
import type { Output } from "./run.ts";
import { stopRequests } from "./stop.ts";
import { watchTree } from "./watch.ts";

/**
 * Marks the server process the reloader starts, so that `phial run --reload` in it serves
 * instead of supervising again. Internal: not in the help.
 */
export const RELOADER_CHILD_FLAG = "--x-phial-reloader-child";

/**
 * Changes that restart the server: code, like Flask's reloader, which watches imported modules.
 * Data files, logs and databases that the app or the shell write next to the module (a
 * `phial run --reload > server.log` included) must not restart it, or it would restart forever.
 */
const SOURCE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"]);

/** How long after the last change the server restarts, so one save that touches several files reloads once. */
const DEBOUNCE_MS = 100;
/** How long a server gets to close gracefully before it is killed on a reload. */
const KILL_AFTER_MS = 5000;

/** Options of {@link supervise}. */
export interface SuperviseOptions {
  /** The CLI entry script to run again in the child. */
  script: string;
  /** The command line as the user gave it (`run app.ts --reload ...`). */
  args: readonly string[];
  cwd: string;
  /** The environment before `.env` was read, so the child reads `.env` afresh on each start. */
  env: Env;
  /** The directory to watch: the module's own. */
  root: string;
  stdout: Output;
  stderr: Output;
  signal?: AbortSignal;
}

interface Child {
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
  stopRequested: boolean;
}

/**
 * Runs the server in a child process and restarts it whenever a source file (.ts, .js and
 * their variants) under `root` changes,
 * until SIGINT/SIGTERM (or `signal`); resolves to the exit code. A child that fails to start
 * (a syntax error) is reported and retried on the next change. The child runs with the same
 * node executable and flags as this process, so a tsx loader given with `--import` still applies.
 *
 * @example
 * ```ts
 * await supervise({ script, args: ["run", "app.ts", "--reload"], cwd, env: process.env, root: cwd, stdout, stderr });
 * ```
 */
export async function supervise(options: SuperviseOptions): Promise<number> {
  const { stdout, stderr } = options;
  let current: Child | undefined;
  let stopping = false;
  let changed: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let restarting = false;

  const start = (): void => {
    const proc = spawn(
      process.execPath,
      [...process.execArgv, options.script, ...options.args, RELOADER_CHILD_FLAG],
      // The IPC channel is only there so the child notices when the supervisor disappears.
      { cwd: options.cwd, env: options.env, stdio: ["inherit", "pipe", "pipe", "ipc"] },
    );
    proc.stdout?.setEncoding("utf8").on("data", (text: string) => stdout.write(text));
    proc.stderr?.setEncoding("utf8").on("data", (text: string) => stderr.write(text));
    const child: Child = {
      process: proc,
      stopRequested: false,
      exited: new Promise((resolve) => {
        const done = (code: number | null, signal: NodeJS.Signals | null): void => {
          if (current === child) current = undefined;
          if (!child.stopRequested && !stopping) {
            const how = signal === null ? `with code ${code}` : `on ${signal}`;
            stderr.write(`The server exited ${how}; waiting for a file change to restart it.\n`);
          }
          resolve();
        };
        proc.once("exit", done);
        proc.once("error", (err) => {
          stderr.write(`Could not start the server process: ${err.message}\n`);
          done(1, null);
        });
      }),
    };
    current = child;
  };

  const stopChild = async (): Promise<void> => {
    const child = current;
    if (child === undefined) return;
    if (!child.stopRequested) {
      child.stopRequested = true;
      child.process.kill("SIGTERM");
    }
    const killer = setTimeout(() => child.process.kill("SIGKILL"), KILL_AFTER_MS);
    await child.exited;
    clearTimeout(killer);
  };

  // Restarts run one at a time, and the old server has exited before the new one starts, so
  // the port is free again; changes arriving meanwhile trigger one more restart.
  const restart = async (): Promise<void> => {
    if (restarting) return;
    restarting = true;
    while (changed !== undefined && !stopping) {
      stdout.write(`Detected change in ${display(options.cwd, changed)}, reloading\n`);
      changed = undefined;
      await stopChild();
      if (!stopping) start();
    }
    restarting = false;
  };

  const watcher = watchTree(options.root, (path) => {
    if (stopping || !SOURCE_EXTENSIONS.has(extname(path))) return;
    // Editors and `sed -i` write a temporary file and rename it over the real one; the last
    // path that still exists is the one the user edited.
    if (changed === undefined || existsSync(path)) changed = path;
    clearTimeout(timer);
    timer = setTimeout(() => void restart(), DEBOUNCE_MS);
  });

  const stop = stopRequests({ signal: options.signal });
  let forced = false;
  void stop.forced.then(() => {
    forced = true;
    current?.process.kill("SIGKILL");
  });
  try {
    start();
    await stop.stopped;
    stopping = true;
    clearTimeout(timer);
    watcher.close();
    await stopChild();
    return forced ? 1 : 0;
  } finally {
    watcher.close();
    stop.dispose();
  }
}

/** A changed path as the user would write it: relative when under the working directory. */
function display(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}
