/**
 * Uploaded files: what `req.files()` holds. The bytes wait in a temporary file, which phial
 * removes once the response is finished, so handlers read, stream or save them before that.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { decodeText } from "./body.ts";

/** What the multipart reader knows about one file part once its bytes are on disk. */
export interface UploadedFileInit {
  readonly fieldName: string;
  readonly originalFilename: string;
  readonly contentType: string;
  readonly size: number;
  readonly tempPath: string;
}

/**
 * Options of {@link UploadedFile.save}.
 *
 * @example
 * ```ts
 * await file.save("uploads/avatar.png", { overwrite: true });
 * ```
 */
export interface SaveOptions {
  /** Replace a file already at the destination. Default `false`: such a save fails with `EEXIST`. */
  readonly overwrite?: boolean;
}

/**
 * One uploaded file of a `multipart/form-data` request. The content is in a temporary file
 * (mode 0600 in `os.tmpdir()`) until the response is finished; `save()` keeps a copy.
 *
 * @example
 * ```ts
 * app.post("/avatar", async (req) => {
 *   const file = (await req.files()).get("avatar");
 *   if (file === null || file.size === 0) abort(400, "Choose a file.");
 *   await file.save(path.join("uploads", file.filename));
 *   return { saved: file.filename, bytes: file.size };
 * });
 * ```
 */
export class UploadedFile {
  /** Name of the form field the file came in (`<input type="file" name="...">`). */
  readonly fieldName: string;
  /**
   * A safe base name derived from the client's name: the part after the last `/` or `\`, without
   * control or format characters or `:`, without leading or trailing dots and spaces, with Windows
   * device names (`CON`, `nul.txt`) prefixed by `_`, at most 255 UTF-8 bytes with the extension
   * kept. `"upload"` when nothing is left.
   */
  readonly filename: string;
  /** The name exactly as the client sent it: for display only, never for a path. `""` when no file was chosen. */
  readonly originalFilename: string;
  /** The part's `Content-Type` as sent, lower-cased (`text/plain` when the part has none); client data, not a check. */
  readonly contentType: string;
  /** Size in bytes. */
  readonly size: number;
  readonly #tempPath: string;

  /** @hidden The multipart reader builds these; handlers get them from `req.files()`. */
  constructor(init: UploadedFileInit) {
    this.fieldName = init.fieldName;
    this.originalFilename = init.originalFilename;
    this.filename = safeFilename(init.originalFilename);
    this.contentType = init.contentType;
    this.size = init.size;
    this.#tempPath = init.tempPath;
  }

  /** The content as a stream, e.g. to hand to a parser or to return as the response body. */
  stream(): Readable {
    return createReadStream(this.#tempPath);
  }

  /** The whole content in memory. */
  bytes(): Promise<Buffer> {
    return readFile(this.#tempPath);
  }

  /** The content decoded as UTF-8; invalid bytes are 400. */
  async text(): Promise<string> {
    return decodeText(await this.bytes(), null);
  }

  /**
   * Copies the file to `destination`, a path your code chooses (join `filename` onto a directory
   * of yours, never `originalFilename`). An existing file is left alone and the promise rejects
   * with `EEXIST`, unless `overwrite` is set. The copy gets the process's usual file mode.
   */
  async save(destination: string, options: SaveOptions = {}): Promise<void> {
    const flags = options.overwrite === true ? "w" : "wx";
    const out = createWriteStream(destination, { flags });
    try {
      await pipeline(createReadStream(this.#tempPath), out);
    } catch (err) {
      // A half-written copy must not look like a saved file; a refused overwrite wrote nothing.
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") await rm(destination, { force: true });
      throw err;
    }
  }
}

// What a safe name must not hold: controls (C0, DEL, C1), format characters (bidi overrides such
// as U+202E that disguise an extension, zero-width characters), the Unicode line/paragraph
// separators, and ":" (a Windows drive or NTFS stream: "C:x", "a.txt:hidden").
const UNSAFE_CHARS = /[\p{Cc}\p{Cf}\u2028\u2029:]/gu;
// Windows opens a device, not a file, for these names with any extension ("nul.txt").
const DEVICE_NAME = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
const MAX_NAME_BYTES = 255;

/**
 * Reduces a client's file name to a base name safe to join onto a directory: the part after the
 * last `/` or `\`, without control or format characters or `:`, leading dots (no hidden files,
 * no `..`), or trailing dots and spaces (Windows drops them), with Windows device names (`CON`,
 * `nul.txt`) prefixed by `_`, at most 255 UTF-8 bytes with the extension kept. Letters of any
 * script stay. What is left empty becomes `"upload"`.
 *
 * @example
 * ```ts
 * safeFilename("../../etc/passwd"); // "passwd"
 * safeFilename("C:\\evil\\x.txt");  // "x.txt"
 * safeFilename(".bashrc");          // "bashrc"
 * ```
 */
export function safeFilename(name: string): string {
  let base = name.normalize("NFC").replace(UNSAFE_CHARS, "");
  base = base.slice(Math.max(base.lastIndexOf("/"), base.lastIndexOf("\\")) + 1);
  base = base.replace(/^[\s.]+/, "").replace(/[\s.]+$/, "");
  if (base === "") return "upload";
  if (DEVICE_NAME.test(base)) base = `_${base}`;
  if (Buffer.byteLength(base) <= MAX_NAME_BYTES) return base;
  const dot = base.lastIndexOf(".");
  const ext = dot > 0 && base.length - dot <= 16 ? base.slice(dot) : "";
  // Cut by code points so no surrogate pair is split.
  let stem = "";
  let bytes = Buffer.byteLength(ext);
  for (const ch of base.slice(0, base.length - ext.length)) {
    bytes += Buffer.byteLength(ch);
    if (bytes > MAX_NAME_BYTES) break;
    stem += ch;
  }
  return stem + ext;
}
