import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import type { AppLike } from "./app-like.ts";
import { CliError } from "./errors.ts";

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

/**
 * Applies the `PHIAL_*` environment variables to a loaded app's config with
 * `config.fromEnv("PHIAL_", env)`, after the module ran and before the app serves, so the
 * environment overrides what the module set. `PHIAL_RUN_*` are the CLI's own (host and port
 * defaults) and stay out of the config.
 *
 * @example
 * ```ts
 * applyEnv(app, process.env); // PHIAL_DEBUG=1 -> app.config.debug === true
 * ```
 */
export function applyEnv(app: AppLike, env: Env): void {
  const config = app.config;
  if (typeof config.fromEnv !== "function") {
    throw new CliError(
      "This app's copy of phial has no config.fromEnv(); install the same phial version as the CLI.",
      "incompatible_app",
      1,
    );
  }
  const settings: Env = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith("PHIAL_") && !key.startsWith("PHIAL_RUN_")) settings[key] = value;
  }
  (config.fromEnv as (prefix: string, env: Env) => unknown).call(config, "PHIAL_", settings);
}
