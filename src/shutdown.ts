/**
 * Graceful shutdown on process signals: the first SIGINT or SIGTERM closes the app, a second
 * one cuts the close short, and once the close is over the process is left to end by itself.
 */
import { SetupError } from "./errors.ts";

/** What {@link closeOnSignals} needs of an app: its `close()`. */
export interface Closable {
  close(options?: { timeout?: number }): Promise<void>;
}

/**
 * Options of `app.closeOnSignals()`.
 *
 * @example
 * ```ts
 * app.closeOnSignals({ timeout: 25_000, signals: ["SIGTERM"] });
 * ```
 */
export interface CloseOnSignalsOptions {
  /** The signals that close the app; default `["SIGINT", "SIGTERM"]`. */
  signals?: readonly NodeJS.Signals[];
  /** Milliseconds in-flight requests get, as `app.close({ timeout })`; default its 10 s. */
  timeout?: number;
  /** Also closes the app when this aborts, as a signal would (for tests and embedding). */
  signal?: AbortSignal;
}

/**
 * How a close that a signal started ended.
 *
 * @example
 * ```ts
 * const { signal, forced } = await app.closeOnSignals().closed;
 * ```
 */
export interface SignalCloseResult {
  /** The signal that started it, or `"abort"` for the `signal` option. */
  readonly signal: NodeJS.Signals | "abort";
  /** Whether a second signal destroyed open connections instead of waiting for them. */
  readonly forced: boolean;
}

/**
 * The listeners `closeOnSignals()` installed.
 *
 * @example
 * ```ts
 * const shutdown = app.closeOnSignals();
 * shutdown.closed.then(() => db.end());
 * ```
 */
export interface SignalClose {
  /** Settles once a signal started the close and the server has closed; never, without one. */
  readonly closed: Promise<SignalCloseResult>;
  /** Removes the listeners now (a close already under way carries on). */
  remove(): void;
}

/**
 * Closes `app` on the first of `signals`: `app.close({ timeout })`. A second signal while it
 * closes calls `app.close({ timeout: 0 })`, destroying what is still open. When the close is
 * over the listeners are removed, so a further signal ends the process the default way. The
 * process is never exited here: Node exits once nothing else (a database pool, a timer, the IPC
 * channel of a cluster worker or of a pm2 process) keeps it alive; close those in
 * `closed.then(...)`, with `process.disconnect()` for an IPC channel.
 *
 * @example
 * ```ts
 * await app.listen({ port: 8000 });
 * closeOnSignals(app, { timeout: 5000 });
 * ```
 */
export function closeOnSignals(app: Closable, options: CloseOnSignalsOptions = {}): SignalClose {
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  const { timeout, signal: abort } = options;
  if (timeout !== undefined && !(typeof timeout === "number" && timeout >= 0)) {
    throw new SetupError(
      `closeOnSignals({ timeout }) takes milliseconds, 0 or more, got ${String(timeout)}.`,
      { code: "invalid_timeout" },
    );
  }
  let first: NodeJS.Signals | "abort" | undefined;
  let forced = false;
  let settle: (result: SignalCloseResult) => void = () => {};
  let fail: (err: unknown) => void = () => {};
  const closed = new Promise<SignalCloseResult>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });

  const onStop = (name: NodeJS.Signals | "abort"): void => {
    if (first === undefined) {
      first = name;
      const started = first;
      app.close(timeout === undefined ? {} : { timeout }).then(
        () => {
          remove();
          settle({ signal: started, forced });
        },
        (err: unknown) => {
          remove();
          fail(err);
        },
      );
    } else if (!forced) {
      forced = true;
      remove();
      const started = first;
      // The close under way, its deadline brought to now.
      app.close({ timeout: 0 }).then(() => settle({ signal: started, forced }), fail);
    }
  };
  const onAbort = (): void => onStop("abort");
  const remove = (): void => {
    for (const name of signals) process.off(name, onStop);
    abort?.removeEventListener("abort", onAbort);
  };
  for (const name of signals) process.on(name, onStop);
  if (abort?.aborted) onAbort();
  else abort?.addEventListener("abort", onAbort, { once: true });
  return { closed, remove };
}
