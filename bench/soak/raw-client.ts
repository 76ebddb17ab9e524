/**
 * One hostile exchange over a raw `net` socket: the attacker writes whatever it likes and the
 * outcome is what the server did about it, as one word: the status it answered (`"413"`), or
 * `"closed"` (hung up without an answer), `"reset"`, `"timeout"` (no answer in time),
 * `"aborted"` (the client hung up on purpose first) or `"cut at stop"` (the soak ended first).
 */
import { connect, type Socket } from "node:net";

/** What a script does with its socket; it may write until `answered()` turns true. */
export interface Script {
  /** Writes the request. Resolves when the client has nothing more to send. */
  send(socket: Socket, answered: () => boolean): Promise<void>;
  /**
   * Called once the status line arrived. Return `"aborted"` after hanging up on purpose
   * (mid-download), or nothing to end with the status.
   */
  onStatus?(status: number, socket: Socket): Promise<"aborted" | undefined>;
  /** After sending, hang up on purpose this many ms later, unless answered first. */
  abortAfterMs?: number;
  /** Milliseconds to wait for an answer before giving up. */
  timeoutMs: number;
}

/** An outcome, and how long the socket was open (ms). */
export interface Exchange {
  outcome: string;
  ms: number;
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3}) /;

export function exchange(port: number, script: Script, stop: AbortSignal): Promise<Exchange> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let head = "";
    let status = 0;
    let done = false;
    const finish = (outcome: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stop.removeEventListener("abort", onStop);
      socket.destroy();
      resolve({ outcome, ms: performance.now() - started });
    };
    const onStop = () => finish("cut at stop");
    stop.addEventListener("abort", onStop);
    const timer = setTimeout(() => finish("timeout"), script.timeoutMs);

    socket.on("data", (chunk: Buffer) => {
      if (status !== 0 || done) return;
      head += chunk.toString("latin1", 0, Math.min(chunk.length, 64));
      const match = STATUS_LINE.exec(head);
      if (match === null) {
        if (head.length >= 64) finish("not http");
        return;
      }
      status = Number(match[1]);
      if (script.onStatus === undefined) return finish(String(status));
      script.onStatus(status, socket).then(
        (how) => finish(how ?? String(status)),
        () => finish(String(status)),
      );
    });
    // An error or close after the answer arrived changes nothing: the status is the outcome.
    socket.on("error", () => finish(status !== 0 ? String(status) : "reset"));
    socket.on("close", () => finish(status !== 0 ? String(status) : "closed"));
    socket.on("connect", () => {
      script
        .send(socket, () => status !== 0 || done)
        .then(
          () => {
            if (script.abortAfterMs === undefined) return;
            setTimeout(() => {
              if (status === 0) finish("aborted");
            }, script.abortAfterMs);
          },
          // A write refused because the server already hung up: the events above decide.
          () => undefined,
        );
    });
  });
}

/** Writes `data` and resolves once the socket took it (waiting for drain when it is full). */
export function write(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return reject(new Error("socket closed"));
    socket.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
