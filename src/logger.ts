import { inspect } from "node:util";
import { isPlainObject } from "./internal/plain-object.ts";

/**
 * How much phial reports: each level lets through itself and everything more severe;
 * `"silent"` lets nothing through.
 *
 * @example
 * ```ts
 * app.config.logLevel = "info"; // request lines and warnings, no debug chatter
 * ```
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

/**
 * Every level, least severe first; `"silent"` closes the list.
 *
 * @example
 * ```ts
 * LOG_LEVELS.includes(process.env.LEVEL as LogLevel);
 * ```
 */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

const RANK: Readonly<Record<LogLevel, number>> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 100,
};

/**
 * Structured context for one log line. `err` holds the error, if any: console-style sinks print
 * its stack once, pino-style sinks serialize it with their `err` serializer.
 *
 * @example
 * ```ts
 * app.logger.error("Payment failed", { err, orderId: 42 });
 * ```
 */
export interface LogFields {
  /** The error the line is about, if any. */
  err?: unknown;
  [key: string]: unknown;
}

/**
 * Where log lines end up: any object with `error`, `warn`, `info` and `debug` methods, such as
 * `console`, a pino or a bunyan logger.
 *
 * @example
 * ```ts
 * const sink: LogSink = pino();
 * new Phial({ logger: sink });
 * ```
 */
export interface LogSink {
  /** Receives `"error"` lines, in the sink's own convention (see {@link SinkStyle}). */
  error(...args: unknown[]): void;
  /** Receives `"warn"` lines. */
  warn(...args: unknown[]): void;
  /** Receives `"info"` lines. */
  info(...args: unknown[]): void;
  /** Receives `"debug"` lines. */
  debug(...args: unknown[]): void;
}

/**
 * The old name of {@link LogSink}, kept so existing code compiles.
 *
 * @deprecated Use {@link LogSink} for what you pass in and {@link PhialLogger} for `app.logger`.
 * @example
 * ```ts
 * const sink: Logger = console;
 * ```
 */
export type Logger = LogSink;

/**
 * The two calling conventions a sink can have. `"pino"`: `sink.info(fields, message)`;
 * `"console"`: `sink.info(line, err?)`.
 *
 * @example
 * ```ts
 * new PhialLogger(winston, { style: "console" });
 * ```
 */
export type SinkStyle = "pino" | "console";

/** Options for `new PhialLogger()`. @example `new PhialLogger(console, { level: "info" })` */
export interface PhialLoggerOptions {
  /** A fixed level; without it the level follows the configuration (see {@link resolveLogLevel}). */
  level?: LogLevel;
  /** Overrides the detection: a sink with a `child` method is taken as pino-style. */
  style?: SinkStyle;
}

/**
 * The part of the configuration the level depends on; `app.config` fits.
 *
 * @example
 * ```ts
 * const source: LogLevelSource = { logLevel: null, debug: true }; // resolves to "debug"
 * ```
 */
export interface LogLevelSource {
  /** The level asked for; `null` or absent lets `debug` decide. */
  readonly logLevel?: LogLevel | null;
  /** Debug mode: `"debug"` when on, `"warn"` when off, unless `logLevel` is set. */
  readonly debug?: boolean;
}

/**
 * The level a configuration asks for, by Flask's rule: `config.logLevel` if set, else `"debug"`
 * when `config.debug` is on and `"warn"` otherwise. An invalid `logLevel` counts as unset here;
 * `config.validate()` is where it is reported.
 *
 * @example
 * ```ts
 * resolveLogLevel({ logLevel: null, debug: true }); // "debug"
 * ```
 */
export function resolveLogLevel(config: LogLevelSource | undefined): LogLevel {
  const level = config?.logLevel;
  if (isLogLevel(level)) return level;
  return config?.debug === true ? "debug" : "warn";
}

/**
 * `app.logger`: filters by level, then forwards each line to its sink in the sink's own
 * convention. A sink that has a `child` method (pino, bunyan) is called as
 * `sink.error(fields, message)`, so its serializers see `err`; any other sink (the console) gets
 * one readable line, `"[phial] message key=value ..."`, with the error as a second argument so
 * its stack prints once. A sink that throws is ignored: logging never breaks a request.
 *
 * The level is fixed by `level` (option or setter); until then it follows the configuration
 * bound with {@link PhialLogger.configure}, which the app does for `app.config` when it is built,
 * so later changes to `config.logLevel` or `config.debug` take effect at once for the lines you
 * log. Whether each request logs its line is decided once, when the app starts serving.
 *
 * @example
 * ```ts
 * const app = new Phial({ logger: pino() });
 * app.logger.info("Cache warmed", { entries: 120 });
 * app.logger.error("Payment failed", { err, orderId: 42 });
 * ```
 */
export class PhialLogger {
  /** The object lines are forwarded to. */
  readonly sink: LogSink;
  /** How the sink is called; detected from the sink unless given. */
  readonly style: SinkStyle;
  #fixed: LogLevel | null;
  #config: LogLevelSource | undefined;

  /**
   * Wraps `sink` (default `console`). Throws a `TypeError` when `options.level` is not one of
   * {@link LOG_LEVELS}.
   */
  constructor(sink: LogSink = console, options: PhialLoggerOptions = {}) {
    this.sink = sink;
    this.style =
      options.style ?? ("child" in sink && typeof sink.child === "function" ? "pino" : "console");
    this.#fixed = options.level === undefined ? null : checkLevel(options.level);
  }

  /**
   * The sink itself when it already is a PhialLogger, otherwise a PhialLogger around it
   * (the console when none is given).
   *
   * @example
   * ```ts
   * PhialLogger.from(pino()).warn("Low disk");
   * ```
   */
  static from(logger?: LogSink | PhialLogger): PhialLogger {
    return logger instanceof PhialLogger ? logger : new PhialLogger(logger);
  }

  /** The lowest level that gets through. Set `null` to follow the configuration again. */
  get level(): LogLevel {
    return this.#fixed ?? resolveLogLevel(this.#config);
  }

  set level(level: LogLevel | null) {
    this.#fixed = level === null ? null : checkLevel(level);
  }

  /**
   * Binds the configuration the level follows while no level is fixed. The app calls this with
   * `app.config` when it is built; call it yourself for a logger used outside an app.
   *
   * @example
   * ```ts
   * const logger = new PhialLogger(console).configure({ logLevel: "info" });
   * ```
   */
  configure(config: LogLevelSource): this {
    this.#config = config;
    return this;
  }

  /**
   * Whether a line at `level` would be forwarded; check it before building costly fields.
   *
   * @example
   * ```ts
   * if (app.logger.isEnabled("debug")) app.logger.debug("State", { snapshot: dump() });
   * ```
   */
  isEnabled(level: LogLevel): boolean {
    return level !== "silent" && RANK[level] >= RANK[this.level];
  }

  /** Details for developers. @example `app.logger.debug("Cache miss", { key })` */
  debug(message: string, fields?: LogFields): void {
    if (this.isEnabled("debug")) this.#emit("debug", message, fields, true);
  }

  /** Normal events worth a line. @example `app.logger.info("Listening", { port: 5000 })` */
  info(message: string, fields?: LogFields): void {
    if (this.isEnabled("info")) this.#emit("info", message, fields, true);
  }

  /** Something odd that phial worked around. @example `app.logger.warn("Cookie too large", { size })` */
  warn(message: string, fields?: LogFields): void {
    if (this.isEnabled("warn")) this.#emit("warn", message, fields, true);
  }

  /** A failure, usually with `err`. @example `app.logger.error("Payment failed", { err })` */
  error(message: string, fields?: LogFields): void {
    if (this.isEnabled("error")) this.#emit("error", message, fields, true);
  }

  /**
   * The one-line summary of a served request, at info: `"GET /users/7 200 1.4 ms"`, with the
   * fields `{ method, path, status, ms }` for structured sinks. Does nothing below info. The
   * dispatcher only calls it when info was on as the app started serving.
   *
   * @example
   * ```ts
   * app.logger.request("GET", "/users/7", 200, 1.42); // "[phial] GET /users/7 200 1.4 ms"
   * ```
   */
  request(method: string, path: string, status: number, ms: number): void {
    if (!this.isEnabled("info")) return;
    const message = `${method} ${path} ${status} ${ms.toFixed(1)} ms`;
    // The console line already says everything; repeating the fields there would be noise.
    this.#emit("info", message, { method, path, status, ms }, false);
  }

  #emit(
    level: Exclude<LogLevel, "silent">,
    message: string,
    given: LogFields | undefined,
    showFields: boolean,
  ): void {
    const fields = asFields(given);
    try {
      if (this.style === "pino") {
        this.sink[level](fields ?? {}, message);
        return;
      }
      const line = `[phial] ${message}${showFields && fields ? formatFields(fields) : ""}`;
      if (fields?.err === undefined) this.sink[level](line);
      else this.sink[level](line, fields.err);
    } catch {
      // A logger that fails has nowhere to report it; the request it describes must go on.
    }
  }
}

/**
 * The default logger: a {@link PhialLogger} over the console, at `"warn"` unless the
 * configuration says otherwise.
 *
 * @example
 * ```ts
 * consoleLogger().error("boom", { err: new Error("x") });
 * ```
 */
export function consoleLogger(): PhialLogger {
  return new PhialLogger(console);
}

function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && Object.hasOwn(RANK, value);
}

function checkLevel(level: unknown): LogLevel {
  if (isLogLevel(level)) return level;
  throw new TypeError(
    `A log level must be one of ${LOG_LEVELS.map((l) => `"${l}"`).join(", ")}, got ${String(level)}.`,
  );
}

/**
 * Callers written for the old `(message, err)` signature pass the error where the fields go;
 * anything but a plain object there is taken as `{ err }`.
 */
function asFields(given: unknown): LogFields | undefined {
  if (given === undefined) return undefined;
  return isPlainObject(given) ? given : { err: given };
}

const BARE = /^[\w./:@%+-]+$/;

function formatFields(fields: LogFields): string {
  let out = "";
  for (const key of Object.keys(fields)) {
    if (key === "err") continue;
    out += ` ${key}=${formatValue(fields[key])}`;
  }
  return out;
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return BARE.test(value) ? value : JSON.stringify(value);
  if (typeof value === "function") return `[function ${value.name || "anonymous"}]`;
  if (typeof value === "object" && value !== null) {
    // JSON reads best in a log line; inspect covers what JSON cannot (cycles, Map, Error, BigInt).
    if (Array.isArray(value) || isPlainObject(value)) {
      try {
        return JSON.stringify(value);
      } catch {
        // Falls through to inspect.
      }
    }
    return inspect(value, { breakLength: Number.POSITIVE_INFINITY, depth: 3 });
  }
  return String(value);
}
