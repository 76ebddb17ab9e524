/**
 * `writeResponse` and `writeText`, the only code that writes to a `ServerResponse`, and
 * `releaseUnsent` for answers that will never be written. Keeping every write here means framing
 * (Content-Length, HEAD, 204/304), header validation and stream failure handling are decided once.
 */
import type { ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { kFlat } from "./internal/headers.ts";
import { assertStatus, isReadableStream, Response, type ResponseBody } from "./response.ts";

// Framing headers phial computes itself for fixed bodies, and drops where no body may follow.
const FRAMING = new Set(["content-length", "transfer-encoding"]);
const TRANSFER = new Set(["transfer-encoding"]);

/**
 * Writes `response` to `res`: status and headers with one `writeHead` call, then the body.
 * A returned promise must be given a rejection handler: stream failures are expected events.
 *
 * - An invalid status (or an unusable body) throws synchronously before anything is written,
 *   with a stream body released, so the caller can still answer 500.
 * - `string`, `Uint8Array` and `null` bodies get a computed Content-Length (none on 204; a
 *   user-set one kept on 304) and are written at once; returns `undefined`.
 * - Streams, async iterables and generators are piped with backpressure; returns a promise
 *   that settles when the body is sent. The status line waits for the first chunk: a stream
 *   that fails before it rejects with nothing written (`res.headersSent` is false), so the
 *   caller can still answer 500. A failure after it (or the client's disconnect) rejects after
 *   destroying the socket: nothing more is written.
 * - For HEAD, 204 and 304 no body is sent; a stream body is released unread.
 *
 * @example
 * ```ts
 * const pending = writeResponse(res, new Response("hi"), req.method === "HEAD");
 * if (pending) pending.catch((err) => log.error(err));
 * ```
 */
export function writeResponse(
  res: ServerResponse,
  response: Response,
  head: boolean,
): Promise<void> | undefined {
  const { status, body } = response;
  try {
    assertStatus(status);
  } catch (err) {
    releaseUnsent(body);
    throw err;
  }
  const bodiless = status === 204;
  const noBody = head || bodiless || status === 304;

  if (body === null || typeof body === "string" || body instanceof Uint8Array) {
    const flat = response.headers[kFlat](status === 304 ? TRANSFER : FRAMING);
    if (!bodiless && status !== 304) {
      const length =
        body === null ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
      flat.push("Content-Length", String(length));
    }
    res.writeHead(status, flat);
    if (noBody || body === null) res.end();
    else res.end(body);
    return undefined;
  }

  const flat = response.headers[kFlat](bodiless ? FRAMING : undefined);
  if (noBody) {
    discard(body);
    res.writeHead(status, flat);
    res.end();
    return undefined;
  }
  // Converting first means a locked web stream also fails before the status line is written.
  const source = toReadable(body);
  return firstChunk(source, res).then((first) => {
    try {
      res.writeHead(status, flat);
    } catch (err) {
      source.destroy();
      throw err;
    }
    if (first === null) {
      res.end();
      return undefined;
    }
    source.unshift(first);
    // The response closing while the source is still whole means the client left first; when
    // the source fails, pipeline destroys it before it closes the response.
    let left = false;
    res.once("close", () => {
      left = !res.writableFinished && !source.destroyed;
    });
    return pipeline(source, res).catch((err: unknown) => {
      // pipeline already destroys both ends; this keeps the guarantee explicit.
      if (!res.destroyed) res.destroy(err instanceof Error ? err : undefined);
      if (left) markClientGone(err);
      throw err;
    });
  });
}

/** Errors of streamed answers that failed because the client went away, not the app. */
const CLIENT_GONE = new WeakSet<object>();

function markClientGone(err: unknown): void {
  if (typeof err === "object" && err !== null) CLIENT_GONE.add(err);
}

/**
 * Whether a streamed answer failed with `err` because the client closed the connection (a
 * cancelled download), which is routine, rather than because the body's stream failed.
 *
 * @example
 * ```ts
 * writeResponse(res, response, false)?.catch((err) => log(isClientGone(err) ? "info" : "error", err));
 * ```
 */
export function isClientGone(err: unknown): boolean {
  return typeof err === "object" && err !== null && CLIENT_GONE.has(err);
}

/**
 * Waits for the stream's first chunk (`null` when it ends empty) without consuming the stream,
 * so a failure before any byte exists can still be answered with a status of its own. A client
 * that leaves meanwhile destroys the source, as `pipeline` would.
 */
async function firstChunk(source: Readable, res: ServerResponse): Promise<unknown> {
  let left = false;
  const leave = () => {
    left = true;
    source.destroy();
  };
  res.once("close", leave);
  const chunks = source.iterator({ destroyOnReturn: false });
  try {
    const first = await chunks.next();
    return first.done === true ? null : first.value;
  } catch (err) {
    source.destroy();
    if (left) markClientGone(err);
    throw err;
  } finally {
    res.off("close", leave);
    // Detaches the iterator; the stream stays open for pipeline.
    await chunks.return?.();
  }
}

/**
 * The header lines of `response` for {@link writeText}: as `writeHead` takes them, without the
 * framing headers that `writeText` computes itself. For answers built once and sent many times.
 *
 * @example
 * ```ts
 * const lines = textLines(errorResponse(new NotFound(), { json: false }));
 * ```
 */
export function textLines(response: Response): string[] {
  return response.headers[kFlat](FRAMING);
}

/**
 * The dispatcher's fast writer for a text body whose header lines phial itself built (constants,
 * already valid): adds Content-Length, and `Connection: close` when asked, in one `writeHead`.
 *
 * @example
 * ```ts
 * writeText(res, 200, ["Content-Type", "application/json"], '{"ok":true}', false, false);
 * ```
 */
export function writeText(
  res: ServerResponse,
  status: number,
  lines: readonly string[],
  body: string,
  head: boolean,
  close: boolean,
): void {
  const length = String(Buffer.byteLength(body));
  const flat = close
    ? [...lines, "Content-Length", length, "Connection", "close"]
    : [...lines, "Content-Length", length];
  res.writeHead(status, flat);
  if (head) res.end();
  else res.end(body);
}

function toReadable(body: Exclude<ResponseBody, string | Uint8Array | null>): Readable {
  if (body instanceof Readable) return body;
  if (isReadableStream(body)) return Readable.fromWeb(body);
  // One chunk read ahead at most: generators are often lazy and chunks may be large.
  if (Symbol.asyncIterator in body || Symbol.iterator in body) {
    return Readable.from(body, { objectMode: true, highWaterMark: 1 });
  }
  throw new TypeError("A response body must be a string, bytes, a stream or an iterable.");
}

/**
 * Releases what a value that will never be written holds open: a stream is destroyed or
 * cancelled, a started generator returned (so its `finally` runs). Takes a `Response` (phial's
 * or a web one), a `[body, ...]` tuple or a bare body; anything else is left alone. For the
 * error paths, where a handler's answer is replaced by an error page.
 *
 * @example
 * ```ts
 * try { response = toResponse(value, endpoint); } catch (err) { releaseUnsent(value); throw err; }
 * ```
 */
export function releaseUnsent(value: unknown): void {
  let body = Array.isArray(value) ? value[0] : value;
  if (body instanceof Response) body = body.body;
  else if (typeof globalThis.Response === "function" && body instanceof globalThis.Response) {
    body = body.body;
  }
  if (body === null || typeof body !== "object" || body instanceof Uint8Array) return;
  if (body instanceof Readable || isReadableStream(body)) discard(body);
  else if (Symbol.asyncIterator in body || Symbol.iterator in body) {
    discard(body as AsyncIterable<string | Uint8Array>);
  }
}

/**
 * Releases a stream body that will not be sent, without reading any of it: destroys a stream,
 * cancels a web stream, returns an iterator (running a generator's `finally`).
 *
 * @example
 * ```ts
 * discard(createReadStream(path)); // closes the file
 * ```
 */
function discard(body: Exclude<ResponseBody, string | Uint8Array | null>): void {
  if (body instanceof Readable) {
    body.destroy();
  } else if (isReadableStream(body)) {
    if (!body.locked) body.cancel().catch(ignore);
  } else {
    // Only iterators have started (or can hold) resources; a bare iterable was never opened.
    const ret = (body as { return?: unknown }).return;
    if (typeof ret === "function") {
      try {
        const result: unknown = ret.call(body);
        if (result instanceof Promise) result.catch(ignore);
      } catch {
        // A generator whose finally block throws has nothing left for us to release.
      }
    }
  }
}

function ignore(): void {}
