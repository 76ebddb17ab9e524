/**
 * Where phial reports what it cannot send to the client: unhandled errors, failing streams,
 * throwing hooks. Any console-like or pino-like object fits.
 *
 * @example
 * ```ts
 * const app = new Phial({ logger: pino() });
 * ```
 */
export interface Logger {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

/**
 * The default logger: the console, at error and warn only, so a quiet app stays quiet.
 *
 * @example
 * ```ts
 * consoleLogger().error("boom", new Error("x"));
 * ```
 */
export function consoleLogger(): Logger {
  return {
    error: (...args) => console.error("[phial]", ...args),
    warn: (...args) => console.warn("[phial]", ...args),
    info: () => {},
    debug: () => {},
  };
}
