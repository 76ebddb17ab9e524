import type { Logger } from "../../src/index.ts";

/** A logger that records instead of printing, so tests can assert what was (not) logged. */
export function silentLogger(): Logger & { errors: unknown[][] } {
  const errors: unknown[][] = [];
  return {
    errors,
    error: (...args: unknown[]) => void errors.push(args),
    warn: () => {},
    info: () => {},
    debug: () => {},
  };
}
