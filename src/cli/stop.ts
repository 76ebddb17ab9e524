/** Requests to stop a long-running command, from signals or a caller's AbortSignal. */
export interface StopRequests {
  /** Resolves on the first request: close gracefully. */
  readonly stopped: Promise<void>;
  /** Resolves on the second request: the user is out of patience, stop now. */
  readonly forced: Promise<void>;
  /** Removes the signal listeners. */
  dispose(): void;
}

/** Options of {@link stopRequests}. */
export interface StopOptions {
  /** A caller's way to stop, as SIGTERM does. */
  signal?: AbortSignal | undefined;
  /**
   * Listen to SIGINT (default). A reloader child turns this off: Ctrl+C reaches the whole process
   * group, and the supervisor is the one to decide, by sending SIGTERM.
   */
  sigint?: boolean;
  /** Also stop when the IPC channel to the parent closes (the supervisor went away). */
  disconnect?: boolean;
}

/**
 * Listens for SIGINT and SIGTERM (and the options' extra sources). The first request resolves
 * `stopped`, a second one `forced`, like pressing Ctrl+C twice.
 *
 * @example
 * ```ts
 * const stop = stopRequests();
 * await stop.stopped;
 * await Promise.race([app.close(), stop.forced]);
 * stop.dispose();
 * ```
 */
export function stopRequests(options: StopOptions = {}): StopRequests {
  let first!: () => void;
  let second!: () => void;
  const stopped = new Promise<void>((resolve) => {
    first = resolve;
  });
  const forced = new Promise<void>((resolve) => {
    second = resolve;
  });
  let count = 0;
  const request = (): void => {
    count += 1;
    if (count === 1) first();
    else second();
  };
  // Installing a no-op keeps SIGINT from killing a reloader child before SIGTERM comes.
  const sigint = options.sigint === false ? () => {} : request;
  process.on("SIGINT", sigint);
  process.on("SIGTERM", request);
  if (options.disconnect) process.on("disconnect", request);
  const signal = options.signal;
  if (signal?.aborted) request();
  else signal?.addEventListener("abort", request, { once: true });
  return {
    stopped,
    forced,
    dispose() {
      process.off("SIGINT", sigint);
      process.off("SIGTERM", request);
      process.off("disconnect", request);
      signal?.removeEventListener("abort", request);
    },
  };
}
