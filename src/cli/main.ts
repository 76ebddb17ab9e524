#!/usr/bin/env node
import { readFileSync, realpathSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseBoolean } from "../internal/config-env.ts";
import { parseCommand, parsePort, type RoutesArgs, type RunArgs } from "./args.ts";
import { applyEnv, type Env, loadDotenv } from "./env.ts";
import { CliError } from "./errors.ts";
import { loadApp, resolveModule } from "./load.ts";
import { RELOADER_CHILD_FLAG, supervise } from "./reload.ts";
import { formatRoutes } from "./routes.ts";
import { type Output, serve } from "./run.ts";

/**
 * The `phial` command: `phial run <module>` serves an app for development, `phial routes
 * <module>` lists its routes, like `flask run` and `flask routes`.
 */

/** Where {@link main} reads and writes; every field defaults to the current process's. */
export interface MainIO {
  /** Resolves `<module>`, `.env` and tsx from here. */
  cwd?: string;
  /** The environment `.env` is merged into and PHIAL_* variables are read from. */
  env?: Env;
  stdout?: Output;
  stderr?: Output;
  /** Stops `phial run` as SIGTERM does. */
  signal?: AbortSignal;
}

interface Context {
  readonly cwd: string;
  readonly env: Env;
  readonly stdout: Output;
  readonly stderr: Output;
  readonly signal: AbortSignal | undefined;
  /** The arguments as given, minus the reloader's marker, for the reloader to pass on. */
  readonly args: readonly string[];
  readonly supervised: boolean;
  /** Whether errors show their stack: `--debug`, or PHIAL_DEBUG once `.env` has been read. */
  debug: boolean;
}

/**
 * Runs the `phial` command line and resolves to its exit code: 0 on success, 1 on failure,
 * 2 on a usage error. Errors are printed as one line on `stderr` (with the stack under
 * `--debug` or PHIAL_DEBUG). `phial run` resolves once the server has been stopped.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const code = await main(["routes", "app.ts", "--json"], { stdout: { write: (s) => out.push(s) } });
 * ```
 */
export async function main(argv: readonly string[], io: MainIO = {}): Promise<number> {
  const ctx: Context = {
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    signal: io.signal,
    args: argv.filter((arg) => arg !== RELOADER_CHILD_FLAG),
    supervised: argv.includes(RELOADER_CHILD_FLAG),
    debug: false,
  };
  try {
    const parsed = parseCommand(ctx.args);
    switch (parsed.command) {
      case "help":
        ctx.stdout.write(parsed.text);
        return 0;
      case "version":
        ctx.stdout.write(`phial ${version()} (Node.js ${process.version})\n`);
        return 0;
      case "routes":
        ctx.debug = parsed.debug;
        return await routes(parsed, ctx);
      case "run":
        ctx.debug = parsed.debug;
        return await run(parsed, ctx);
    }
  } catch (err) {
    return report(err, ctx.debug, ctx.stderr);
  }
}

async function routes(args: RoutesArgs, ctx: Context): Promise<number> {
  loadEnv(ctx, args.envFile);
  const path = resolveModule(ctx.cwd, args.module);
  const app = await loadApp(path, { cwd: ctx.cwd, label: args.module });
  applyEnv(app, ctx.env);
  ctx.stdout.write(formatRoutes(app.rules(), args));
  return 0;
}

async function run(args: RunArgs, ctx: Context): Promise<number> {
  if (args.reload && !ctx.supervised) {
    const path = resolveModule(ctx.cwd, args.module);
    // Check the env file now, in a throwaway environment: the child reads it on every start,
    // and a typo should fail here rather than in a loop of failing children.
    if (args.envFile !== undefined) loadDotenv({ cwd: ctx.cwd, env: {}, file: args.envFile });
    return supervise({
      script: fileURLToPath(import.meta.url),
      args: ctx.args,
      cwd: ctx.cwd,
      env: ctx.env,
      root: dirname(path),
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      signal: ctx.signal,
    });
  }
  loadEnv(ctx, args.envFile);
  // Like FLASK_RUN_HOST/PORT: the environment supplies defaults, the command line wins.
  const host = args.host ?? nonEmpty(ctx.env.PHIAL_RUN_HOST) ?? "127.0.0.1";
  const envPort = nonEmpty(ctx.env.PHIAL_RUN_PORT);
  const port = args.port ?? (envPort === undefined ? 5000 : parsePort(envPort, "PHIAL_RUN_PORT"));
  const path = resolveModule(ctx.cwd, args.module);
  const app = await loadApp(path, { cwd: ctx.cwd, label: args.module });
  applyEnv(app, ctx.env);
  if (args.debug) app.config.debug = true;
  return serve(app, {
    host,
    port,
    label: args.module,
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    signal: ctx.signal,
    supervised: ctx.supervised,
  });
}

/** Reads `.env` (or `--env-file`), after which PHIAL_DEBUG may ask for stacks too. */
function loadEnv(ctx: Context, file: string | undefined): void {
  loadDotenv(
    file === undefined ? { cwd: ctx.cwd, env: ctx.env } : { cwd: ctx.cwd, env: ctx.env, file },
  );
  ctx.debug ||= wantsDebug(ctx.env);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** PHIAL_DEBUG read as config.fromEnv reads it, leniently: it only decides whether errors show stacks. */
function wantsDebug(env: Env): boolean {
  return parseBoolean(env.PHIAL_DEBUG?.trim() ?? "") === true;
}

/** Errors whose stack points into the user's code, so `--debug` is worth suggesting. */
const USER_CODE_FAILURES = new Set(["import_failed", "factory_failed"]);

function report(err: unknown, debug: boolean, stderr: Output): number {
  const cli = err instanceof CliError ? err : undefined;
  const stackOf = cli === undefined ? err : cli.cause;
  const stack = stackOf instanceof Error ? stackOf.stack : undefined;
  const worthStack = cli === undefined || USER_CODE_FAILURES.has(cli.code);
  let line = `Error: ${err instanceof Error ? err.message : String(err)}`;
  if (!debug && stack !== undefined && worthStack) line += " (--debug shows the stack)";
  stderr.write(`${line}\n`);
  if (debug && stack !== undefined) stderr.write(`${stack}\n`);
  return cli?.exitCode ?? 1;
}

function version(): string {
  const manifest = JSON.parse(
    readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
  ) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}

/** Whether this file is the script node was started with (and not imported, as tests do). */
function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    // npm's bin link is a symlink; compare real paths.
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // Exit explicitly: the user's module may hold timers or connections open, and `phial routes`
  // must not hang on them. Flush first, because writes to pipes can be asynchronous.
  let pending = 2;
  const done = (): void => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}
