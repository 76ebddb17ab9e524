/**
 * The `node:http` server that `app.listen()` runs: created with the config's slow-client
 * timeouts, and closed gracefully (stop accepting, let in-flight requests finish, answer 503 to
 * requests that arrive meanwhile, close idle connections, force the rest at a deadline).
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";
import type { Socket } from "node:net";
import type { Config } from "./config.ts";
import { prebuiltPage } from "./error-page.ts";
import { ServiceUnavailable } from "./errors.ts";
import { prefersJson } from "./internal/accept.ts";
import { MAX_TIMER_MS } from "./internal/timer.ts";
import { writeText } from "./response-write.ts";

/**
 * The slow-client timeouts of `node:http`, in milliseconds, as `app.serverOptions()` gives them:
 * spread them into the options of a server you create yourself.
 *
 * @example
 * ```ts
 * https.createServer({ key, cert, ...app.serverOptions() }, app.handler).listen(8443);
 * ```
 */
export interface ServerTimeouts {
  /** How long a client may take to send a request's headers (`config.headersTimeout`). */
  readonly headersTimeout: number;
  /** How long a client may take to send a whole request (`config.requestTimeout`; 0: no limit). */
  readonly requestTimeout: number;
  /** How long an idle keep-alive connection stays open (`config.keepAliveTimeout`). */
  readonly keepAliveTimeout: number;
  /** How often the two request deadlines are checked (`config.connectionsCheckingInterval`). */
  readonly connectionsCheckingInterval: number;
}

/**
 * The server options for `config`'s timeouts; the config must already be valid.
 *
 * @example
 * ```ts
 * createServer(serverTimeouts(app.config), app.handler);
 * ```
 */
export function serverTimeouts(config: Config): ServerTimeouts {
  return {
    headersTimeout: config.headersTimeout,
    requestTimeout: config.requestTimeout,
    keepAliveTimeout: config.keepAliveTimeout,
    connectionsCheckingInterval: config.connectionsCheckingInterval,
  };
}

/** How often a closing server looks for connections that have become idle. */
const SWEEP_MS = 100;

const SHUTTING_DOWN = new ServiceUnavailable("The server is shutting down; try again shortly.");
const REFUSALS = {
  html: prebuiltPage(SHUTTING_DOWN, false),
  json: prebuiltPage(SHUTTING_DOWN, true),
};

/**
 * The listener of a closing server: a request that arrives on a connection still open (a
 * keep-alive one, or one whose headers were under way) was never accepted by the app, so no
 * hook, handler or error handler runs; the client learns to retry elsewhere.
 */
function refuse(req: IncomingMessage, res: ServerResponse): void {
  const page = prefersJson(req.headers.accept) ? REFUSALS.json : REFUSALS.html;
  writeText(res, 503, page.lines, page.body, req.method === "HEAD", true);
}

/**
 * A `node:http` server that knows its connections, so that closing it never cuts an answer.
 *
 * @example
 * ```ts
 * const served = new GracefulServer(serverTimeouts(config), app.handler);
 * await served.listen(5000, "127.0.0.1");
 * await served.close(10_000);
 * ```
 */
export class GracefulServer {
  readonly server: Server;
  readonly #listener: RequestListener;
  /** Every open connection; tracked per connection, so requests pay nothing for it. */
  readonly #sockets = new Set<Socket>();
  #closed: Promise<void> | undefined;
  #finish: (err?: Error) => void = () => {};
  /** Whether the listening socket was closed (new connections are refused). */
  #stopped = false;
  #sweeper: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #deadlineAt = Number.POSITIVE_INFINITY;

  constructor(timeouts: ServerTimeouts, listener: RequestListener) {
    this.server = createServer(timeouts, listener);
    this.#listener = listener;
    const sockets = this.#sockets;
    function untrack(this: Socket): void {
      sockets.delete(this);
    }
    this.server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", untrack);
    });
  }

  /** Resolves once the server listens; rejects on the first `error` before that. */
  listen(port: number, host: string): Promise<void> {
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  }

  /**
   * Starts closing (once) and resolves when every connection is gone. Calling it again while
   * closing returns the same promise; a sooner deadline replaces the current one, and `0`
   * destroys what is left at once.
   */
  close(timeout: number): Promise<void> {
    if (this.#closed === undefined) {
      this.server.removeListener("request", this.#listener);
      this.server.on("request", refuse);
      this.#closed = new Promise<void>((resolve, reject) => {
        this.#finish = (err) => {
          clearInterval(this.#sweeper);
          clearTimeout(this.#deadline);
          if (err) reject(err);
          else resolve();
        };
      });
      // Keep-alive answers that started before the close go idle later; look for them again.
      this.#sweeper = setInterval(this.#sweep, SWEEP_MS).unref();
      this.#sweep();
    }
    this.#setDeadline(timeout);
    return this.#closed;
  }

  #setDeadline(timeout: number): void {
    const at = Date.now() + timeout;
    if (at >= this.#deadlineAt) return;
    this.#deadlineAt = at;
    clearTimeout(this.#deadline);
    if (timeout <= 0) this.#force();
    else this.#deadline = setTimeout(this.#force, Math.min(timeout, MAX_TIMER_MS)).unref();
  }

  /**
   * Closes idle connections. Node's own sweep (which `server.close()` also runs) takes an answer
   * as done once `res.end()` was called, not once it was sent, and cuts a large answer to a slow
   * client mid-body; so while any connection still has bytes to flush, sweeping (and with it
   * closing the listening socket) waits, and requests that arrive meanwhile are answered 503.
   */
  readonly #sweep = (): void => {
    for (const socket of this.#sockets) if (socket.writableLength > 0) return;
    if (this.#stopped) this.server.closeIdleConnections();
    else this.#stop();
    // Node 20's sweep skips connections that never sent a byte (a browser's preconnect), which
    // would hold the close until the deadline.
    for (const socket of this.#sockets) if (socket.bytesRead === 0) socket.destroy();
  };

  readonly #force = (): void => {
    if (!this.#stopped) this.#stop();
    this.server.closeAllConnections();
    for (const socket of this.#sockets) socket.destroy();
  };

  #stop(): void {
    this.#stopped = true;
    this.server.close((err) => this.#finish(err));
  }
}
