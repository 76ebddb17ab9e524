import { SetupError } from "./errors.ts";

/**
 * The app's configuration: Flask's keys in camelCase, plus any keys of your own. Known keys are
 * typed and checked when the app starts serving; unknown keys are yours and are left alone.
 *
 * @example
 * ```ts
 * const app = new Phial({ config: { maxContentLength: 8 * 1024 * 1024 } });
 * app.config.debug = process.env.NODE_ENV !== "production";
 * ```
 */
export interface Config {
  /** Error pages show the error's message and stack. Never turn on in production. */
  debug: boolean;
  /** Set by tests; phial itself does not change behaviour on it yet. */
  testing: boolean;
  /** Largest request body, in bytes, that the body readers accept (413 above it). */
  maxContentLength: number;
  /** Largest urlencoded form body, in bytes, that `req.form()` accepts (413 above it). */
  maxFormMemorySize: number;
  /** Most fields a form body may hold (413 above it). */
  maxFormParts: number;
  /** Most parameters a query string may hold (400 above it). */
  maxQueryParams: number;
  /** Your own settings. */
  [key: string]: unknown;
}

/**
 * The defaults every new app starts from.
 *
 * @example
 * ```ts
 * defaultConfig().maxContentLength; // 1048576
 * ```
 */
export function defaultConfig(): Config {
  return {
    debug: false,
    testing: false,
    maxContentLength: 1024 * 1024,
    maxFormMemorySize: 500_000,
    maxFormParts: 1000,
    maxQueryParams: 1000,
  };
}

const POSITIVE_INTEGERS = [
  "maxContentLength",
  "maxFormMemorySize",
  "maxFormParts",
  "maxQueryParams",
] as const;

/**
 * Checks the known keys once, at start-up, so a typo'd limit fails loudly instead of quietly
 * letting every body through.
 */
export function validateConfig(config: Config): void {
  for (const key of POSITIVE_INTEGERS) {
    const value = config[key];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      throw new SetupError(
        `config.${key} must be a positive whole number of ${key === "maxFormParts" || key === "maxQueryParams" ? "parts" : "bytes"}, got ${JSON.stringify(value)}.`,
      );
    }
  }
  for (const key of ["debug", "testing"] as const) {
    if (typeof config[key] !== "boolean") {
      throw new SetupError(
        `config.${key} must be true or false, got ${JSON.stringify(config[key])}.`,
      );
    }
  }
}
