import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, where `node --import tsx src/cli/main.ts` runs as a user would. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES = join(ROOT, "test/cli/fixtures");
const MAIN = join(ROOT, "src/cli/main.ts");
// By URL, so the loader is found from any working directory (the .env tests run in a temp dir).
const TSX = import.meta.resolve("tsx");
/** `src/index.ts` as a URL, for fixtures written to a temp directory. */
export const PHIAL_URL = new URL("../../src/index.ts", import.meta.url).href;

const live = new Set<ChildProcess>();

/** A running `phial` process with its output collected. */
export interface Cli {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Waits for the next match of `pattern` in the output after the previous wait's match. */
  waitFor(pattern: RegExp, timeout?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or the signal that ended it). */
  readonly exited: Promise<number | NodeJS.Signals>;
}

/**
 * Starts `phial <args>` in a child process. Only the given PHIAL_* variables reach it, so the
 * developer's own environment cannot change the results.
 */
export function startCli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Cli {
  return startScript(MAIN, args, options);
}

/** Starts `node --import tsx <script> <args>`, as {@link startCli} starts phial. */
export function startScript(
  script: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Cli {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith("PHIAL_") || key === "NODE_TEST_CONTEXT") delete env[key];
  }
  const child = spawn(process.execPath, ["--import", TSX, script, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let all = "";
  let out = "";
  let err = "";
  let cursor = 0;
  const listeners = new Set<() => void>();
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    out += text;
    all += text;
    for (const l of listeners) l();
  });
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    err += text;
    all += text;
    for (const l of listeners) l();
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once("close", (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? "SIGKILL");
      for (const l of listeners) l();
    });
  });
  let closed = false;
  void exited.then(() => {
    closed = true;
  });

  const waitFor = (pattern: RegExp, timeout = 30_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = new RegExp(pattern.source, pattern.flags.replace("g", "")).exec(
          all.slice(cursor),
        );
        if (match) {
          cursor += match.index + match[0].length;
          finish();
          resolve(match);
        } else if (closed) {
          finish();
          reject(new Error(`the process exited before printing ${pattern}; output:\n${all}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${pattern}; output:\n${all}`));
      }, timeout);
      const finish = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  return { child, output: () => all, stdout: () => out, stderr: () => err, waitFor, exited };
}

/** Runs `phial <args>` to completion. */
export async function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | NodeJS.Signals; stdout: string; stderr: string }> {
  const cli = startCli(args, options);
  const timer = setTimeout(() => cli.child.kill("SIGKILL"), 30_000);
  const code = await cli.exited;
  clearTimeout(timer);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Kills whatever a test left running; for `after()`, so a failing test leaves no server behind. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("close", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

export const fixture = (name: string): string => join(FIXTURES, name);
export const relFixture = (name: string): string => join("test/cli/fixtures", name);
