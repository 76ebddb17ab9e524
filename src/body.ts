/**
 * Reading and parsing request bodies, with limits counted on the bytes actually received.
 * Each media type is parsed once, here, and that one parsed value picks the parser.
 */
import { isUtf8 } from "node:buffer";
import type { IncomingMessage } from "node:http";
import { MIMEType, TextDecoder } from "node:util";
import { BadRequest, ContentTooLarge, type HTTPError, UnsupportedMediaType } from "./errors.ts";

/**
 * A parsed `Content-Type`: the lower-cased essence (`type/subtype`) and its parameters, as
 * `req.mediaType` gives it.
 *
 * @example
 * ```ts
 * const type: MediaType | null = req.mediaType;
 * if (type?.essence === "text/csv") return parseCsv(await req.text());
 * ```
 */
export interface MediaType {
  /** The type and subtype, lower-cased, without parameters: `"application/json"`. */
  readonly essence: string;
  /** The `charset` parameter, lower-cased; `null` when absent. */
  readonly charset: string | null;
  /** The `boundary` parameter, as multipart bodies need it; `null` when absent. */
  readonly boundary: string | null;
}

// Clients send a handful of distinct Content-Type values, and MIMEType is costly next to a Map
// hit. Bounded, so a client inventing a new header per request cannot grow it.
const MEDIA_CACHE_SIZE = 256;
const mediaTypes = new Map<string, MediaType>();

/**
 * Parses a Content-Type header once. A header that is present but malformed answers 415, so no
 * parser ever guesses at what the client meant.
 */
export function parseMediaType(header: string | undefined): MediaType | null {
  if (header === undefined || header === "") return null;
  const known = mediaTypes.get(header);
  if (known !== undefined) return known;
  try {
    const mime = new MIMEType(header);
    const media: MediaType = Object.freeze({
      essence: mime.essence,
      charset: mime.params.get("charset")?.toLowerCase() ?? null,
      boundary: mime.params.get("boundary") ?? null,
    });
    if (mediaTypes.size < MEDIA_CACHE_SIZE) mediaTypes.set(header, media);
    return media;
  } catch {
    throw new UnsupportedMediaType(
      `The Content-Type header ${JSON.stringify(header)} is malformed.`,
    );
  }
}

/**
 * Whether the request may carry a body: a length above zero or chunked framing in HTTP/1; in
 * HTTP/2 a body needs neither header, so only the stream's end can tell.
 */
export function hasBody(raw: IncomingMessage): boolean {
  const length = raw.headers["content-length"];
  if (length !== undefined) return length !== "0";
  return raw.headers["transfer-encoding"] !== undefined || raw.httpVersionMajor >= 2;
}

/**
 * Reads the whole body into memory, refusing more than `limit` bytes: by the declared
 * Content-Length before reading anything, and by counting chunks as they arrive (chunked bodies
 * have no length to trust). On a 413 it stops reading; the dispatcher then closes the connection.
 */
export function readBody(raw: IncomingMessage, limit: number): Promise<Buffer> {
  if (declaresTooMuch(raw, limit)) return Promise.reject(bodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    // Listeners stay attached once settled: the request dies with them, and four off() calls
    // per request cost more than the body. So the failure paths check `settled` before building
    // an error: Node emits "close" on every request, and an error's stack trace is not free.
    const fail = (makeError: () => HTTPError) => {
      if (settled) return;
      settled = true;
      raw.off("data", onData);
      reject(makeError());
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        raw.pause();
        fail(() => bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    raw.on("data", onData);
    raw.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received));
    });
    raw.on("error", (err: Error) => {
      fail(() => new BadRequest("The request body could not be read.", { cause: err }));
    });
    // The client went away before finishing its body: nothing sensible can be parsed.
    raw.on("close", () => {
      fail(() => new BadRequest("The client closed the connection before the body ended."));
    });
  });
}

/** Whether the declared Content-Length alone is over `limit`: refused before reading a byte. */
export function declaresTooMuch(raw: IncomingMessage, limit: number): boolean {
  const declared = raw.headers["content-length"];
  return declared !== undefined && Number(declared) > limit;
}

/** The 413 of a body over `config.maxContentLength`, whichever reader counted it. */
export function bodyTooLarge(limit: number): HTTPError {
  return new ContentTooLarge(
    `The request body is larger than ${limit} bytes; send less or raise config.maxContentLength.`,
  );
}

/** Decodes bytes in the declared charset (UTF-8 by default), refusing invalid sequences. */
export function decodeText(bytes: Uint8Array, charset: string | null): string {
  if (charset === null || charset === "utf-8") {
    // The common case without a TextDecoder per call: validate, drop a BOM as TextDecoder does.
    if (!isUtf8(bytes)) throw new BadRequest("The request body is not valid utf-8 text.");
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    if (bom === 0 && Buffer.isBuffer(bytes)) return bytes.toString("utf8");
    return Buffer.from(bytes.buffer, bytes.byteOffset + bom, bytes.byteLength - bom).toString();
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? "utf-8", { fatal: true, ignoreBOM: false });
  } catch {
    throw new UnsupportedMediaType(`The charset ${JSON.stringify(charset)} is not supported.`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new BadRequest(`The request body is not valid ${charset ?? "utf-8"} text.`);
  }
}

/** `application/json` and any `+json` type, such as `application/problem+json`. */
export function isJsonType(media: MediaType | null): boolean {
  if (media === null) return false;
  return media.essence === "application/json" || media.essence.endsWith("+json");
}

/**
 * Parses JSON text, refusing keys that could reach `Object.prototype` when user code later
 * merges the result into another object (`__proto__`, or `constructor` holding `prototype`).
 */
export function parseJson(text: string): unknown {
  if (text.trim() === "") throw new BadRequest("The JSON body is empty.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BadRequest("The request body is not valid JSON.", { cause: err });
  }
  // Only walk the tree when the text could spell a dangerous key (escapes included).
  if (MAY_SPELL_PROTO.test(text)) {
    assertNoPrototypeKeys(value);
  }
  return value;
}

// One scan for anything that could spell a dangerous key, escapes included.
const MAY_SPELL_PROTO = /__proto__|constructor|\\u/;

function assertNoPrototypeKeys(root: unknown): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    if (Object.hasOwn(node, "__proto__")) {
      throw new BadRequest('The JSON body contains a "__proto__" key, which is not allowed.');
    }
    const ctor = (node as Record<string, unknown>).constructor;
    if (Object.hasOwn(node, "constructor") && ctor !== null && typeof ctor === "object") {
      if (Object.hasOwn(ctor, "prototype")) {
        throw new BadRequest(
          'The JSON body contains "constructor.prototype", which is not allowed.',
        );
      }
    }
    for (const child of Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push(child);
    }
  }
}
