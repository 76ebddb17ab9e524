import { SetupError } from "./errors.ts";

/**
 * A request's session: Map-like, so every access can be tracked. `permanent` keeps it for
 * `config.permanentSessionLifetime` instead of the browser session.
 *
 * @example
 * ```ts
 * const visits = Number(req.session.get("visits") ?? 0);
 * req.session.set("visits", visits + 1);
 * ```
 */
export interface Session {
  /** The value stored under `key`, or `undefined`. */
  get(key: string): unknown;
  /** Stores `value` under `key`; returns the session. */
  set(key: string, value: unknown): this;
  /** Whether a value is stored under `key`. */
  has(key: string): boolean;
  /** Removes `key`; `true` when it was there. */
  delete(key: string): boolean;
  /** Removes every key. */
  clear(): void;
  /** The number of keys. */
  readonly size: number;
  /** The keys, in insertion order. */
  keys(): IterableIterator<string>;
  /** The `[key, value]` pairs, in insertion order. */
  entries(): IterableIterator<[string, unknown]>;
  /** Kept for `config.permanentSessionLifetime` (`true`) or the browser session (`false`). */
  permanent: boolean;
}

/**
 * The session of a request without a session backend (no `secretKey` set, or a session interface
 * that opened none), as Flask's `NullSession`: reading finds an empty session, writing throws an
 * error saying what to set.
 *
 * @example
 * ```ts
 * new NullSession().get("user"); // undefined
 * ```
 */
export class NullSession implements Session {
  /** Always `undefined`. */
  get(_key: string): unknown {
    return undefined;
  }
  /** Throws a `SetupError`: there is nowhere to store the value. */
  set(_key: string, _value: unknown): this {
    throw unavailable();
  }
  /** Always `false`. */
  has(_key: string): boolean {
    return false;
  }
  /** Throws a `SetupError`, as `set` does. */
  delete(_key: string): boolean {
    throw unavailable();
  }
  /** Throws a `SetupError`, as `set` does. */
  clear(): void {
    throw unavailable();
  }
  /** Always 0. */
  get size(): number {
    return 0;
  }
  /** Yields nothing. */
  keys(): IterableIterator<string> {
    return new Map<string, unknown>().keys();
  }
  /** Yields nothing. */
  entries(): IterableIterator<[string, unknown]> {
    return new Map<string, unknown>().entries();
  }
  /** Always `false`; setting it throws a `SetupError`, as `set` does. */
  get permanent(): boolean {
    return false;
  }
  set permanent(_value: boolean) {
    throw unavailable();
  }
}

function unavailable(): SetupError {
  return new SetupError(
    "The session is unavailable because no secret key is set. Set app.config.secretKey " +
      "(for example from the PHIAL_SECRET_KEY environment variable) to a long random string. " +
      "(With a custom app.sessionInterface: its open() returned null, or it is set to null.)",
  );
}
