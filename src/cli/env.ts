import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import type { AppLike } from "./app-like.ts";
import { CliError, UsageError } from "./errors.ts";

/** The environment the CLI reads and extends: `process.env` unless a caller passes its own. */
export type Env = Record<string, string | undefined>;

/**
 * Loads `<cwd>/.env` if it exists, or `file` (relative to `cwd`) which must exist, into `env`.
 * Variables already set win, as with Flask and `node --env-file`, so a shell or a deployment
 * can always override the file. Returns the path loaded, or `null`.
 *
 * @example
 * ```ts
 * loadDotenv({ cwd: process.cwd(), env: process.env }); // reads ./.env when present
 * ```
 */
export function loadDotenv(options: { cwd: string; env: Env; file?: string }): string | null {
  const path = resolve(options.cwd, options.file ?? ".env");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (options.file === undefined && (code === "ENOENT" || code === "EISDIR")) return null;
    if (code === "ENOENT") {
      throw new CliError(
        `The env file ${path} does not exist; check the --env-file path.`,
        "env_file_not_found",
        2,
      );
    }
    throw new CliError(`Cannot read ${path}: ${(err as Error).message}`, "env_file_unreadable", 1, {
      cause: err,
    });
  }
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (options.env[key] === undefined && value !== undefined) options.env[key] = value;
  }
  return path;
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["", "0", "false", "no", "off"]);

/**
 * Reads a boolean variable the way Flask reads FLASK_DEBUG: 1/true/yes/on or 0/false/no/off
 * (any case); unset gives `undefined`, anything else is a usage error naming the variable.
 *
 * @example
 * ```ts
 * envFlag({ PHIAL_DEBUG: "1" }, "PHIAL_DEBUG"); // true
 * ```
 */
export function envFlag(env: Env, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new UsageError(`${name} must be 1/true or 0/false, got ${JSON.stringify(raw)}.`);
}

/**
 * Applies the `PHIAL_*` environment variables to a loaded app's config, after the module ran
 * and before the app serves, so the environment overrides what the module set.
 *
 * @example
 * ```ts
 * applyEnv(app, process.env); // PHIAL_DEBUG=1 -> app.config.debug === true
 * ```
 */
export function applyEnv(app: AppLike, env: Env): void {
  const config = app.config;
  // INTEGRATION: fromEnv lands with the config work; then the PHIAL_DEBUG fallback below goes.
  if (typeof config.fromEnv === "function") {
    (config.fromEnv as (prefix: string) => unknown).call(config, "PHIAL_");
    return;
  }
  const debug = envFlag(env, "PHIAL_DEBUG");
  if (debug !== undefined) config.debug = debug;
}
