/**
 * The body readers behind `req.bytes()`, `text()`, `json()`, `form()`, `files()` and
 * `req.stream`: one body, read at most once, whichever reader asks first, with the config's
 * limits. Kept apart from `Request` so the request's own file stays about what a request is.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { decodeText, hasBody, isJsonType, type MediaType, parseJson, readBody } from "./body.ts";
import type { Config } from "./config.ts";
import { UnsupportedMediaType } from "./errors.ts";
import { MultiDict, parseUrlEncoded } from "./internal/multidict.ts";
import { type MultipartData, readMultipart } from "./multipart.ts";
import type { UploadedFile } from "./uploads.ts";

/**
 * One request's body, read on first use. `onRefused` is told when a limit refused the body
 * mid-way, because the unread rest means the connection must close.
 *
 * @example
 * ```ts
 * const body = new RequestBody(req.raw, res, config, () => {});
 * const data = await body.json(parseMediaType(req.raw.headers["content-type"]));
 * ```
 */
export class RequestBody {
  readonly #raw: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #config: Config;
  readonly #onRefused: () => void;
  #bytes: Promise<Buffer> | undefined;
  #multipart: Promise<MultipartData> | undefined;

  constructor(raw: IncomingMessage, res: ServerResponse, config: Config, onRefused: () => void) {
    this.#raw = raw;
    this.#res = res;
    this.#config = config;
    this.#onRefused = onRefused;
  }

  /** The raw stream, once and before any reader; see `Request#stream`. */
  stream(): Readable {
    if (this.#bytes !== undefined) {
      throw new TypeError("The body was already read with bytes()/text()/json()/form().");
    }
    this.#bytes = Promise.reject(new TypeError("The body was taken as req.stream."));
    this.#bytes.catch(() => {});
    return this.#raw;
  }

  /** The whole body, at most `limit` bytes (413 above); the same promise for every caller. */
  read(limit: number = this.#config.maxContentLength): Promise<Buffer> {
    if (this.#bytes === undefined) {
      if (!hasBody(this.#raw)) {
        this.#bytes = Promise.resolve(Buffer.alloc(0));
      } else if (this.#raw.readableEnded || this.#raw.destroyed) {
        this.#bytes = Promise.reject(new TypeError("The body stream was already consumed."));
      } else {
        this.#bytes = readBody(this.#raw, limit);
        // The rest of a refused body is never read: the dispatcher closes the connection.
        this.#bytes.catch(this.#onRefused);
      }
    }
    return this.#bytes;
  }

  /** See `Request#text`. */
  async text(media: MediaType | null): Promise<string> {
    return decodeText(await this.read(), media?.charset ?? null);
  }

  /** See `Request#json`. */
  json(media: MediaType | null): Promise<unknown> {
    if (!isJsonType(media)) {
      return Promise.reject(
        new UnsupportedMediaType(
          `Expected a JSON body (Content-Type: application/json), got ${media ? media.essence : "no Content-Type"}.`,
        ),
      );
    }
    if (media?.charset && media.charset !== "utf-8") {
      return Promise.reject(
        new UnsupportedMediaType(`JSON must be UTF-8, got charset ${media.charset}.`),
      );
    }
    // then() rather than async/await: one promise hop fewer on the commonest body read.
    return this.read().then(parseUtf8Json);
  }

  /** See `Request#form`. */
  async form(media: MediaType | null): Promise<MultiDict> {
    if (media === null && !hasBody(this.#raw)) return new MultiDict();
    if (media?.essence === "multipart/form-data") return (await this.#readMultipart(media)).fields;
    if (media?.essence !== "application/x-www-form-urlencoded") {
      throw new UnsupportedMediaType(
        `Expected a form body (application/x-www-form-urlencoded or multipart/form-data), got ${media ? media.essence : "no Content-Type"}.`,
      );
    }
    const config = this.#config;
    const limit = Math.min(config.maxContentLength, config.maxFormMemorySize);
    const text = decodeText(await this.read(limit), media.charset);
    return parseUrlEncoded(text, config.maxFormParts, "form");
  }

  /** See `Request#files`. */
  async files(media: MediaType | null): Promise<MultiDict<UploadedFile>> {
    if (media?.essence === "multipart/form-data") return (await this.#readMultipart(media)).files;
    if (
      (media === null && !hasBody(this.#raw)) ||
      media?.essence === "application/x-www-form-urlencoded"
    ) {
      return new MultiDict();
    }
    throw new UnsupportedMediaType(
      `Expected a multipart/form-data body, got ${media ? media.essence : "no Content-Type"}.`,
    );
  }

  #readMultipart(media: MediaType): Promise<MultipartData> {
    if (this.#multipart === undefined) {
      const raw = this.#raw;
      if (!hasBody(raw)) {
        this.#multipart = Promise.resolve({ fields: new MultiDict(), files: new MultiDict() });
      } else if (this.#bytes !== undefined || raw.readableEnded || raw.destroyed) {
        this.#multipart = Promise.reject(new TypeError("The body was already read."));
      } else {
        this.#multipart = readMultipart(raw, this.#res, media, this.#config);
        // As in read(): the rest of a refused body is never read, so the connection closes.
        this.#multipart.catch(this.#onRefused);
      }
      if (this.#bytes === undefined) {
        this.#bytes = Promise.reject(new TypeError("The body was read as multipart/form-data."));
        this.#bytes.catch(() => {});
      }
    }
    return this.#multipart;
  }
}

function parseUtf8Json(bytes: Buffer): unknown {
  return parseJson(decodeText(bytes, "utf-8"));
}
