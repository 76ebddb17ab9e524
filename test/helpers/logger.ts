import type { LogFields, LogSink } from "../../src/logger.ts";

/** One line as a structured sink received it. */
export interface LogRecord {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly fields: LogFields;
}

/**
 * A pino-style sink (it has `child`) that records instead of printing, so tests can assert what
 * was (not) logged: `errors` holds `[message, fields]` of each error line, `records` every line.
 */
export function silentLogger(): LogSink & {
  child(): LogSink;
  errors: [string, LogFields][];
  records: LogRecord[];
} {
  const errors: [string, LogFields][] = [];
  const records: LogRecord[] = [];
  const record =
    (level: LogRecord["level"]) =>
    (...args: unknown[]): void => {
      const [fields = {}, message = ""] = args as [LogFields?, string?];
      records.push({ level, message, fields });
      if (level === "error") errors.push([message, fields]);
    };
  const sink = {
    errors,
    records,
    error: record("error"),
    warn: record("warn"),
    info: record("info"),
    debug: record("debug"),
    child: () => sink,
  };
  return sink;
}
