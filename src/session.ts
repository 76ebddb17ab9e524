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
  get(key: string): unknown;
  set(key: string, value: unknown): this;
  has(key: string): boolean;
  delete(key: string): boolean;
  clear(): void;
  readonly size: number;
  keys(): IterableIterator<string>;
  entries(): IterableIterator<[string, unknown]>;
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
  get(_key: string): unknown {
    return undefined;
  }
  set(_key: string, _value: unknown): this {
    throw unavailable();
  }
  has(_key: string): boolean {
    return false;
  }
  delete(_key: string): boolean {
    throw unavailable();
  }
  clear(): void {
    throw unavailable();
  }
  get size(): number {
    return 0;
  }
  keys(): IterableIterator<string> {
    return new Map<string, unknown>().keys();
  }
  entries(): IterableIterator<[string, unknown]> {
    return new Map<string, unknown>().entries();
  }
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
