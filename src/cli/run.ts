import { closeOnSignals } from "../shutdown.ts";
import type { AppLike } from "./app-like.ts";
import { CliError } from "./errors.ts";

/** Where the CLI writes: `process.stdout`, or anything with a `write(text)` in tests. */
export interface Output {
  write(text: string): unknown;
}

/** Options of {@link serve}. */
export interface ServeOptions {
  host: string;
  port: number;
  /** How to name the app in the "Serving ..." line: the module as the user typed it. */
  label: string;
  stdout: Output;
  stderr: Output;
  /** Stops the server like SIGTERM does, for programmatic use. */
  signal?: AbortSignal;
  /**
   * Running as the reloader's child: Ctrl+C reaches the whole process group, so SIGINT is left
   * to the supervisor (which then sends SIGTERM), and losing the supervisor stops the server.
   */
  supervised?: boolean;
}

/**
 * Serves the app until SIGINT or SIGTERM (or `signal`), then closes it gracefully and resolves
 * to the exit code: 0, or 1 when a second stop request cut the graceful close short.
 *
 * @example
 * ```ts
 * const code = await serve(app, { host: "127.0.0.1", port: 5000, label: "app.ts", stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function serve(app: AppLike, options: ServeOptions): Promise<number> {
  const { host, port } = options;
  const server = await app.listen({ host, port }).catch((err: unknown) => {
    throw listenError(err, host, port, options.label);
  });
  const address = server.address();
  const realPort = typeof address === "object" && address !== null ? address.port : port;
  options.stdout.write(
    `Serving ${options.label} on http://${urlHost(host)}:${realPort} (Press CTRL+C to quit)\n`,
  );

  // A reloader child leaves Ctrl+C to its supervisor (it reaches the whole process group) and
  // waits for its SIGTERM; the no-op keeps SIGINT from killing the child meanwhile.
  const ignore = (): void => {};
  const stop = new AbortController();
  const stopNow = (): void => stop.abort();
  if (options.supervised) {
    process.on("SIGINT", ignore);
    // Losing the supervisor stops the server, like a signal.
    process.on("disconnect", stopNow);
  }
  options.signal?.addEventListener("abort", stopNow, { once: true });
  if (options.signal?.aborted) stopNow();
  const shutdown = closeOnSignals(app, {
    signals: options.supervised ? ["SIGTERM"] : ["SIGINT", "SIGTERM"],
    signal: stop.signal,
  });
  try {
    const { forced } = await shutdown.closed;
    if (forced) options.stderr.write("Stopped without waiting for open requests.\n");
    return forced ? 1 : 0;
  } finally {
    shutdown.remove();
    process.off("SIGINT", ignore);
    process.off("disconnect", stopNow);
    options.signal?.removeEventListener("abort", stopNow);
  }
}

/** IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** Turns the usual `listen` failures into a line that says what to do. */
function listenError(err: unknown, host: string, port: number, label: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "already_listening") {
    return new CliError(
      `${label} already started the server: it calls app.listen() when imported. Only listen when the file is run directly, or leave listening to phial run.`,
      "already_listening",
      1,
      { cause: err },
    );
  }
  if (code === "EADDRINUSE") {
    return new CliError(
      `Port ${port} on ${host} is in use by another program; stop it or pass another port, e.g. --port ${port === 5000 ? 5001 : 5000}.`,
      "port_in_use",
      1,
      { cause: err },
    );
  }
  if (code === "EACCES") {
    return new CliError(
      `Not allowed to listen on port ${port}; ports below 1024 need privileges, so pass --port 5000 or another port above 1023.`,
      "port_forbidden",
      1,
      { cause: err },
    );
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new CliError(
      `Cannot listen on host ${host}: no such interface or address on this machine; try --host 127.0.0.1 or --host 0.0.0.0.`,
      "host_unavailable",
      1,
      { cause: err },
    );
  }
  return err;
}
