/**
 * Reading `multipart/form-data` bodies (security rule 7): text fields into memory, files streamed
 * to temporary files, every parser limit set, a broken size or count limit a 413, and the
 * temporary files removed on every way out: a failure, a client that goes away, or the end of the
 * response. One limit cannot be reported: busboy cuts a part's headers at the header limits, and
 * a part whose Content-Disposition is cut off (or missing) is skipped without an event, so the
 * field is absent rather than a 413.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Busboy, type BusboyFileStream, type BusboyInstance } from "@fastify/busboy";
import { bodyTooLarge, declaresTooMuch, type MediaType } from "./body.ts";
import type { Config } from "./config.ts";
import { BadRequest, ContentTooLarge, type HTTPError } from "./errors.ts";
import { MultiDict } from "./internal/multidict.ts";
import { UploadedFile, type UploadedFileInit } from "./uploads.ts";

/** Every temporary upload file's name starts with this, so leftovers are easy to spot. */
export const TEMP_PREFIX = "phial-upload-";

/** What one parse of a multipart body gives `req.form()` and `req.files()`. */
export interface MultipartData {
  readonly fields: MultiDict;
  readonly files: MultiDict<UploadedFile>;
}

/** The config keys that bound a multipart body. */
export type MultipartLimits = Pick<
  Config,
  "maxContentLength" | "maxFormMemorySize" | "maxFormParts"
>;

// Real part headers are two or three lines; these only bound what a hostile client can make
// busboy hold per part (its defaults are 2000 pairs and 80 KiB).
const HEADER_PAIRS = 32;
const HEADER_SIZE = 16 * 1024;

// RFC 2046 boundary: 1 to 70 bchars, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/**
 * Parses the multipart body of `raw`. `media` is the request's Content-Type, parsed once and
 * already judged to be `multipart/form-data`; its boundary is handed to busboy re-quoted, so
 * both read one boundary. Rejects with 413 for a size or count limit, 400 for a
 * malformed or aborted body. Temporary files live until `res` closes.
 *
 * @example
 * ```ts
 * const { fields, files } = await readMultipart(req.raw, res, req.mediaType, config);
 * ```
 */
export function readMultipart(
  raw: IncomingMessage,
  res: ServerResponse,
  media: MediaType,
  limits: MultipartLimits,
): Promise<MultipartData> {
  if (declaresTooMuch(raw, limits.maxContentLength)) {
    return Promise.reject(bodyTooLarge(limits.maxContentLength));
  }
  const boundary = media.boundary;
  if (boundary === null) {
    return Promise.reject(new BadRequest("The multipart Content-Type has no boundary."));
  }
  if (!BOUNDARY.test(boundary)) {
    return Promise.reject(new BadRequest("The multipart boundary is malformed."));
  }
  return new MultipartReader(raw, res, boundary, limits).done;
}

/** One parse: its state, and the one place it settles and cleans up. */
class MultipartReader {
  readonly done: Promise<MultipartData>;
  readonly #raw: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #limits: MultipartLimits;
  readonly #busboy: BusboyInstance;
  readonly #fields: [string, string][] = [];
  readonly #files: UploadedFileInit[] = [];
  readonly #writes: Promise<void>[] = [];
  readonly #temps: { readonly out: WriteStream; readonly path: string }[] = [];
  #received = 0;
  #memory = 0;
  #settled = false;
  #resolve!: (data: MultipartData) => void;
  #reject!: (err: HTTPError) => void;

  constructor(
    raw: IncomingMessage,
    res: ServerResponse,
    boundary: string,
    limits: MultipartLimits,
  ) {
    this.#raw = raw;
    this.#res = res;
    this.#limits = limits;
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const parts = limits.maxFormParts;
    this.#busboy = Busboy({
      headers: { "content-type": `multipart/form-data; boundary="${boundary}"` },
      // Keep the client's name as sent (originalFilename); UploadedFile makes the safe one.
      preservePath: true,
      limits: {
        parts,
        fields: parts,
        files: parts,
        // One field can never be allowed more than all fields together.
        fieldSize: limits.maxFormMemorySize,
        fileSize: limits.maxContentLength,
        headerPairs: HEADER_PAIRS,
        headerSize: HEADER_SIZE,
      },
    });
    const bb = this.#busboy;
    bb.on("field", (name, value, _nameTruncated, valueTruncated) =>
      this.#onField(name, value, valueTruncated),
    );
    bb.on("file", (name, stream, filename, _encoding, mimeType) =>
      this.#onFile(name, stream, filename, mimeType),
    );
    const tooMany = () => this.#fail(new ContentTooLarge(`More than ${parts} form parts.`));
    bb.on("partsLimit", tooMany);
    bb.on("filesLimit", tooMany);
    bb.on("fieldsLimit", tooMany);
    bb.on("error", (err: unknown) => {
      this.#fail(new BadRequest("The multipart body is malformed.", { cause: err }));
    });
    bb.on("finish", () => this.#finish());

    // Written by hand rather than piped, so each chunk is counted before busboy sees it.
    raw.on("data", this.#onData);
    raw.on("end", () => bb.end());
    raw.on("error", (err: Error) => {
      this.#fail(new BadRequest("The request body could not be read.", { cause: err }));
    });
    raw.on("close", () => {
      if (!raw.complete) {
        this.#fail(new BadRequest("The client closed the connection before the body ended."));
      }
    });
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#received += chunk.length;
    if (this.#received > this.#limits.maxContentLength) {
      this.#fail(bodyTooLarge(this.#limits.maxContentLength));
      return;
    }
    if (!this.#busboy.write(chunk)) {
      this.#raw.pause();
      this.#busboy.once("drain", () => {
        if (!this.#settled) this.#raw.resume();
      });
    }
  };

  #onField(name: string | undefined, value: string, truncated: boolean): void {
    if (this.#settled) return;
    if (name === undefined) {
      this.#fail(new BadRequest("A multipart part has no field name."));
      return;
    }
    this.#memory += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (truncated || this.#memory > this.#limits.maxFormMemorySize) {
      this.#fail(
        new ContentTooLarge(
          `The form's text fields are larger than ${this.#limits.maxFormMemorySize} bytes; send less or raise config.maxFormMemorySize.`,
        ),
      );
      return;
    }
    this.#fields.push([name, value]);
  }

  #onFile(
    name: string | undefined,
    stream: BusboyFileStream,
    filename: string | undefined,
    mimeType: string,
  ): void {
    if (this.#settled || name === undefined) {
      stream.resume();
      if (name === undefined) this.#fail(new BadRequest("A multipart part has no field name."));
      return;
    }
    if (this.#temps.length === 0) this.#cleanUpWhenAnswered();
    const tempPath = join(tmpdir(), `${TEMP_PREFIX}${randomUUID()}`);
    const out = createWriteStream(tempPath, { flags: "wx", mode: 0o600 });
    this.#temps.push({ out, path: tempPath });
    const init = {
      fieldName: name,
      originalFilename: filename ?? "",
      contentType: mimeType,
      size: 0,
      tempPath,
    };
    this.#files.push(init);
    const limit = this.#limits.maxContentLength;
    stream.on("limit", () => this.#fail(fileTooLarge(limit)));
    const write = pipeline(stream, out).then(
      () => {
        // Checked again at the end: a truncated file must never pass as a whole one.
        if (stream.truncated) throw fileTooLarge(limit);
        init.size = out.bytesWritten;
      },
      (err: unknown) => {
        throw new BadRequest("The multipart body ended inside a file.", { cause: err });
      },
    );
    write.catch((err: HTTPError) => this.#fail(err));
    this.#writes.push(write);
  }

  async #finish(): Promise<void> {
    if (this.#settled) return;
    try {
      await Promise.all(this.#writes);
    } catch {
      return; // #fail already ran for the write that failed.
    }
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve({
      fields: new MultiDict(this.#fields),
      files: new MultiDict(this.#files.map((init) => [init.fieldName, new UploadedFile(init)])),
    });
  }

  /** Settles with an error once: stops reading, and removes every temporary file. */
  #fail(err: HTTPError): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#raw.off("data", this.#onData);
    this.#raw.pause();
    this.#busboy.destroy();
    this.#reject(err);
    this.#removeFiles();
  }

  /** Once the response is over (sent or abandoned), nothing may read the files any more. */
  #cleanUpWhenAnswered(): void {
    if (this.#res.closed) {
      queueMicrotask(() => this.#fail(clientGone()));
    }
    this.#res.once("close", () => {
      this.#fail(clientGone());
      this.#removeFiles();
    });
  }

  #removeFiles(): void {
    for (const { out, path } of this.#temps) {
      // Unlinking before the stream has opened its file would let the open create it again.
      const remove = () => void rm(path, { force: true }).catch(() => {});
      if (out.closed) remove();
      else {
        out.once("close", remove);
        out.destroy();
      }
    }
    this.#temps.length = 0;
  }
}

function fileTooLarge(limit: number): HTTPError {
  return new ContentTooLarge(
    `An uploaded file is larger than ${limit} bytes; send less or raise config.maxContentLength.`,
  );
}

function clientGone(): HTTPError {
  return new BadRequest("The response ended before the multipart body was read.");
}
