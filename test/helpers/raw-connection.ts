/**
 * A raw HTTP/1.1 client connection for tests about the wire: requests are written exactly as
 * given, answers are read by their own framing (Content-Length or chunks), and every byte
 * received is kept, so a second status line or a body cut short cannot hide.
 */
import net from "node:net";

/** One answer as read off the wire. */
export interface RawAnswer {
  /** The status of the first line, or 0 when nothing arrived. */
  readonly status: number;
  /** The status line and header lines, as sent. */
  readonly head: string;
  /** The body, de-chunked; for a cut answer, whatever arrived. */
  readonly body: string;
  /** Whether the body arrived whole (by Content-Length or a last chunk) before any close. */
  readonly complete: boolean;
}

/**
 * A raw HTTP/1.1 client connection: requests are written as given, answers are read by their
 * own framing, and every received byte is kept (`received`) so a second status line cannot hide.
 */
export class RawConnection {
  /** Everything received, as latin1 text. */
  received = "";
  #buffer = Buffer.alloc(0);
  #closed = false;
  #wake: (() => void) | undefined;
  readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.received += chunk.toString("latin1");
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake?.();
    });
    // A reset from a server that destroyed the socket is one of the outcomes under test.
    socket.on("error", () => {});
  }

  /** Connects to 127.0.0.1:`port`. */
  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** Whether the server closed (or reset) the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  /** How many status lines arrived in total. */
  get statusLines(): number {
    return this.received.match(/HTTP\/1\.[01] \d{3}/g)?.length ?? 0;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Resolves once `bytes` bytes (or more) were received in total, or the connection closed. */
  async receivedAtLeast(bytes: number, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    const what = `${bytes} bytes did not arrive within ${ms} ms`;
    while (this.received.length < bytes && !this.#closed) await this.#next(deadline, what);
  }

  /** Resolves once the connection closed; rejects if it is still open after `ms`. */
  async close(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    const what = `the server did not close the connection within ${ms} ms`;
    while (!this.#closed) await this.#next(deadline, what);
  }

  /**
   * Reads the next answer: whole by its framing, or what arrived before the connection closed.
   * Rejects if neither happened within `ms` (a bound against a hung server, not a timing test).
   */
  async answer(ms = 5000): Promise<RawAnswer> {
    const deadline = Date.now() + ms;
    for (;;) {
      const parsed = parseAnswer(this.#buffer);
      if (parsed !== undefined) {
        this.#buffer = this.#buffer.subarray(parsed.used);
        return parsed.answer;
      }
      if (this.#closed) {
        const rest = this.#buffer.toString("latin1");
        this.#buffer = Buffer.alloc(0);
        return partialAnswer(rest);
      }
      await this.#next(deadline, `no answer arrived within ${ms} ms`);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Waits for more bytes or the close; rejects with `what` once `deadline` passed. */
  #next(deadline: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.#wake = undefined;
          reject(new Error(what));
        },
        Math.max(0, deadline - Date.now()),
      );
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }
}

function statusOf(head: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
}

/** A whole answer at the start of `buffer`, and how many bytes it took; undefined if not yet. */
function parseAnswer(buffer: Buffer): { answer: RawAnswer; used: number } | undefined {
  const end = buffer.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const head = buffer.toString("latin1", 0, end);
  const status = statusOf(head);
  let at = end + 4;
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) {
    const size = length === null ? 0 : Number(length[1]);
    if (buffer.length < at + size) return undefined;
    const body = buffer.toString("latin1", at, at + size);
    return { answer: { status, head, body, complete: true }, used: at + size };
  }
  let body = "";
  for (;;) {
    const lineEnd = buffer.indexOf("\r\n", at);
    if (lineEnd === -1) return undefined;
    const size = Number.parseInt(buffer.toString("latin1", at, lineEnd), 16);
    const dataEnd = lineEnd + 2 + size;
    if (buffer.length < dataEnd + 2) return undefined;
    body += buffer.toString("latin1", lineEnd + 2, dataEnd);
    at = dataEnd + 2;
    if (size === 0) return { answer: { status, head, body, complete: true }, used: at };
  }
}

/** What arrived of an answer the server cut off: its head, and the data of its whole chunks. */
function partialAnswer(rest: string): RawAnswer {
  const end = rest.indexOf("\r\n\r\n");
  if (end === -1) return { status: statusOf(rest), head: rest, body: "", complete: false };
  const head = rest.slice(0, end);
  let body = rest.slice(end + 4);
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
    let data = "";
    let at = 0;
    for (;;) {
      const lineEnd = body.indexOf("\r\n", at);
      if (lineEnd === -1) break;
      const size = Number.parseInt(body.slice(at, lineEnd), 16);
      data += body.slice(lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 4 + size;
    }
    body = data;
  }
  return { status: statusOf(head), head, body, complete: false };
}

/**
 * A request as written on the wire, with the id the {@link TeardownLog} files it under.
 *
 * @example
 * ```ts
 * conn.write(rawRequest("GET", "/throw", "f1", { keepAlive: false }));
 * ```
 */
export function rawRequest(
  method: string,
  path: string,
  id: string,
  options: { keepAlive: boolean; headers?: Record<string, string>; body?: string },
): string {
  let text = `${method} ${path} HTTP/1.1\r\nHost: faults.test\r\nX-Fault-Id: ${id}\r\n`;
  text += `Connection: ${options.keepAlive ? "keep-alive" : "close"}\r\n`;
  for (const [name, value] of Object.entries(options.headers ?? {}))
    text += `${name}: ${value}\r\n`;
  if (options.body !== undefined) {
    text += `Content-Length: ${Buffer.byteLength(options.body)}\r\n\r\n${options.body}`;
  } else {
    text += "\r\n";
  }
  return text;
}
