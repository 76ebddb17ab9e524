/**
 * One HTTP/1.1 exchange written byte for byte over `net`, for security tests whose hostile input
 * is the request line or the framing itself: `http.request` and `fetch` would refuse, normalise or
 * re-frame it. Read the raw answer to see exactly which header lines went out.
 */
import net from "node:net";

/** What the server wrote before it closed the connection. */
export interface RawAnswer {
  /** Status of the first response, `0` when nothing parseable arrived. */
  readonly status: number;
  /** The first response's header lines, `[name, value]` as written (names not lower-cased). */
  readonly headers: readonly (readonly [string, string])[];
  /** Everything after the first response's blank line, decoded as UTF-8. */
  readonly body: string;
  /** The whole answer as latin1 text (one character per byte), every response included. */
  readonly text: string;
}

/** Options of {@link rawExchange}. */
export interface RawOptions {
  /** Give up (reject) when the server has not closed the connection after this many ms. */
  readonly timeout?: number;
  /** Half-close the connection after writing: the client sends nothing more. */
  readonly end?: boolean;
}

/**
 * Connects to 127.0.0.1:`port`, writes `request` (latin1 for strings), and resolves with what the
 * server wrote once it closes the connection, so send `Connection: close` unless the test is about
 * the server closing it. Rejects when that takes longer than `timeout` (default 5 s): a server
 * still waiting for a body it should have refused.
 *
 * @example
 * ```ts
 * const answer = await rawExchange(port, "GET /%2e%2e/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
 * assert.equal(answer.status, 404);
 * ```
 */
export function rawExchange(
  port: number,
  request: string | Buffer,
  options: RawOptions = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`The server did not close the connection within ${options.timeout ?? 5000} ms.`),
      );
    }, options.timeout ?? 5000);
    socket.on("connect", () => {
      socket.write(typeof request === "string" ? Buffer.from(request, "latin1") : request);
      if (options.end === true) socket.end();
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    // A server that closes while the test is still writing resets the connection; what it wrote
    // before is the answer.
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(parseAnswer(Buffer.concat(chunks)));
    });
  });
}

/** Splits a raw answer into the first response's status, header lines and body. */
export function parseAnswer(bytes: Buffer): RawAnswer {
  const text = bytes.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  const head = end === -1 ? text : text.slice(0, end);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return {
    status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1] ?? 0),
    headers,
    body: end === -1 ? "" : bytes.subarray(end + 4).toString("utf8"),
    text,
  };
}

/** Every value of the header `name` (case-insensitive) in a raw answer. */
export function headerValues(answer: RawAnswer, name: string): string[] {
  const lower = name.toLowerCase();
  return answer.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** A `GET target` request line with Host and `Connection: close`, as a raw request. */
export function rawGet(target: string, extraHeaders = ""): string {
  return `GET ${target} HTTP/1.1\r\nHost: localhost\r\n${extraHeaders}Connection: close\r\n\r\n`;
}
