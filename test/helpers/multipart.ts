import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { TEMP_PREFIX } from "../../src/multipart.ts";

/** One part of a hand-built multipart body; a `filename` makes it a file part. */
export interface TestPart {
  readonly name: string;
  readonly value: string | Uint8Array;
  readonly filename?: string;
  readonly contentType?: string;
}

/** The boundary {@link multipartBody} uses unless told otherwise. */
export const BOUNDARY = "----phialTestBoundary7MA4YWxk";

/**
 * A `multipart/form-data` body written byte by byte, as a browser would (file names raw UTF-8
 * inside the quotes), so tests can send names no encoder would produce.
 *
 * @example
 * ```ts
 * const { body, headers } = multipartBody([{ name: "a", value: "1" }]);
 * ```
 */
export function multipartBody(
  parts: readonly TestPart[],
  boundary = BOUNDARY,
): { body: Buffer; headers: { "content-type": string } } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += "\r\n";
    if (part.contentType !== undefined) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, "utf8"), Buffer.from(part.value), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: Buffer.concat(chunks),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

/** Names of phial's temporary upload files now in `os.tmpdir()`. */
export function tempUploads(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(TEMP_PREFIX));
}

/**
 * Waits (at most `ms`) until no temporary upload file is left, and none has appeared for
 * `quietMs`; returns those still there. The quiet window matters: a file's `open` runs on libuv's
 * thread pool, so a request answered 413 may create (and then remove) its file a moment after the
 * client has read the answer, and a single empty listing would pass too early.
 */
export async function noTempUploadsWithin(ms = 3000, quietMs = 150): Promise<string[]> {
  const deadline = Date.now() + ms;
  let emptySince: number | undefined;
  for (;;) {
    const left = tempUploads();
    const now = Date.now();
    if (left.length > 0) emptySince = undefined;
    else {
      emptySince ??= now;
      if (now - emptySince >= quietMs) return left;
    }
    if (now >= deadline) return left;
    await sleep(10);
  }
}
