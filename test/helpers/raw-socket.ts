/** A bare TCP client for tests about the wire itself: slow clients, shutdown, backpressure. */
import type { Server } from "node:http";
import { connect, type Socket } from "node:net";

export interface RawClient {
  readonly socket: Socket;
  /** Everything received so far, as latin1 text (bytes map one to one). */
  text(): string;
  /** How many bytes arrived so far. */
  bytes(): number;
  /** Whether the connection has closed (by either side). */
  isClosed(): boolean;
  /** Resolves when the connection closes. */
  readonly closed: Promise<void>;
  /** Resolves once the received text matches `pattern`; rejects if the connection closes first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

/** Connects to 127.0.0.1:`port`; write errors after the server hung up are expected and ignored. */
export function rawConnect(port: number): Promise<RawClient> {
  const socket = connect(port, "127.0.0.1");
  const chunks: Buffer[] = [];
  let total = 0;
  let isClosed = false;
  const waiters = new Set<() => void>();
  socket.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    total += chunk.length;
    for (const wake of waiters) wake();
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => {
    socket.once("close", () => {
      isClosed = true;
      for (const wake of waiters) wake();
      resolve();
    });
  });
  const text = (): string => Buffer.concat(chunks).toString("latin1");
  const client: RawClient = {
    socket,
    text,
    bytes: () => total,
    isClosed: () => isClosed,
    closed,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = text().match(pattern);
          if (match !== null) {
            waiters.delete(check);
            resolve(match);
          } else if (isClosed) {
            waiters.delete(check);
            reject(new Error(`closed before ${pattern} arrived; got ${JSON.stringify(text())}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(client));
    socket.once("error", reject);
  });
}

/**
 * The server's side of the next connection it accepts, to watch what the server has read
 * (`bytesRead`) or still has to send (`writableLength`).
 */
export function nextServerSocket(server: Server): Promise<Socket> {
  return new Promise((resolve) => server.once("connection", resolve));
}

/** Resolves once `condition()` holds, checking every 10 ms; rejects after `ms`. */
export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
