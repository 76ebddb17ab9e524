/**
 * Static files: `sendFile`, `sendFromDirectory`, the handler behind an app's (or blueprint's)
 * static route, and `prepareFileResponse`, the step the dispatcher runs on every response right
 * before writing it.
 *
 * A file response is a plain {@link Response} whose body is a {@link FileBody}: the file's path
 * and size, read only when the writer pulls the first chunk. Handlers and hooks see (and may
 * change) an ordinary 200 response; the answer that depends on the request's conditional and
 * Range headers (200, 206, 304 or 416) is decided last, from the headers the response carries
 * then, so an `afterRequest` hook that changes the ETag is honoured. No file descriptor is
 * opened for HEAD, 304, 416, or a response a hook replaced, and an aborted download closes its
 * descriptor as the stream is destroyed.
 */
import { constants, type Stats, statSync } from "node:fs";
import { access, open, realpath, stat } from "node:fs/promises";
import path from "node:path";
import mime from "mime-types";
import type { Config } from "./config.ts";
import { errorResponse } from "./error-page.ts";
import { NotFound, RangeNotSatisfiable, SetupError } from "./errors.ts";
import { prefersJson } from "./internal/accept.ts";
import { contentDisposition } from "./internal/content-disposition.ts";
import { decideFileAnswer, etagHeader, fileEtag, httpDate } from "./internal/file-conditional.ts";
import { insideRoot, safeJoin } from "./internal/safe-path.ts";
import type { Request } from "./request.ts";
import { Response } from "./response.ts";

/**
 * Options of {@link sendFile}, as Flask's `send_file` in camelCase.
 *
 * @example
 * ```ts
 * const options: SendFileOptions = { asAttachment: true, downloadName: "report.pdf", maxAge: 60 };
 * ```
 */
export interface SendFileOptions {
  /** The Content-Type; default guessed from `downloadName` or the path (`mime-types`), else `application/octet-stream`. Text types get `charset=utf-8`. */
  mimetype?: string;
  /** Send `Content-Disposition: attachment` so browsers save the file. Default false. */
  asAttachment?: boolean;
  /** The name the client sees (saved as, and used to guess the type); default the file's base name. Any text is safe here. */
  downloadName?: string;
  /** Answer conditional (304) and Range (206, 416) requests. Default true. */
  conditional?: boolean;
  /** `true` (default): a strong ETag from size and mtime; `false`: none; a string: that tag. */
  etag?: boolean | string;
  /**
   * Seconds clients may cache the file: `Cache-Control: public, max-age=N` (`no-cache, max-age=0`
   * for 0). When not given, `config.sendFileMaxAge` decides when the response is written, and
   * without it the answer is `no-cache`: clients revalidate with If-None-Match, as in Flask.
   */
  maxAge?: number;
}

/**
 * Options of {@link sendFromDirectory} and {@link staticFiles}: those of {@link sendFile} plus
 * what the safe join allows.
 *
 * @example
 * ```ts
 * const options: SendFromDirectoryOptions = { maxAge: 3600, allowDotfiles: true };
 * ```
 */
export interface SendFromDirectoryOptions extends SendFileOptions {
  /** Serve names with a segment starting with "." (`.well-known/...`). Default false: 404. */
  allowDotfiles?: boolean;
  /** Follow symlinks that lead outside the directory. Default false: 404. */
  allowSymlinksOutside?: boolean;
}

const CHUNK = 64 * 1024;

/**
 * A file response's body: which bytes of which file to send. Iterating opens the file, reads
 * `start..end` (inclusive) in 64 KiB chunks and closes it, also when the consumer stops early.
 * A file that shrank meanwhile fails the stream, so the connection is cut rather than
 * answered short of its Content-Length.
 *
 * @example
 * ```ts
 * // Inside phial: how the write step recognises a file answer (FileBody is not exported).
 * if (response.body instanceof FileBody) prepareFileResponse(response, req, config);
 * ```
 */
export class FileBody implements AsyncIterable<Uint8Array> {
  /** Absolute path of the file. */
  readonly path: string;
  /** The file's size when it was looked up. */
  readonly size: number;
  /** First byte to send. */
  readonly start: number;
  /** Last byte to send (inclusive); `start - 1` for nothing. */
  readonly end: number;
  /** Whether conditional and Range requests are answered (sendFile's `conditional`). */
  readonly conditional: boolean;

  constructor(file: string, size: number, conditional: boolean, start = 0, end = size - 1) {
    this.path = file;
    this.size = size;
    this.conditional = conditional;
    this.start = start;
    this.end = end;
  }

  /** The same file, narrowed to bytes `start..end`. */
  range(start: number, end: number): FileBody {
    return new FileBody(this.path, this.size, this.conditional, start, end);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    if (this.end < this.start) return;
    const handle = await open(this.path, "r");
    let isOpen = true;
    try {
      let position = this.start;
      for (;;) {
        const length = Math.min(CHUNK, this.end - position + 1);
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        if (bytesRead === 0) throw new Error(`${this.path} shrank while it was being sent.`);
        position += bytesRead;
        const chunk = bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
        if (position > this.end) {
          // Closed before the last chunk goes out, so the response ends as soon as it is sent.
          isOpen = false;
          await handle.close();
          yield chunk;
          return;
        }
        yield chunk;
      }
    } finally {
      if (isOpen) await handle.close();
    }
  }
}

/**
 * A response that sends the file at `file` (relative paths resolve against `process.cwd()`):
 * Content-Type, `X-Content-Type-Options: nosniff`, Last-Modified, a strong ETag, Cache-Control
 * and, when asked, a safe Content-Disposition. When it is written, If-None-Match /
 * If-Modified-Since give 304 and one `Range` gives 206 (416 when unsatisfiable; several ranges
 * get the whole file). A missing file, a directory or an unreadable one rejects with `NotFound`.
 *
 * Never pass a path built from request data: use {@link sendFromDirectory} for that.
 *
 * @example
 * ```ts
 * app.get("/report", () => sendFile("/srv/reports/latest.pdf", { asAttachment: true }));
 * ```
 */
export async function sendFile(file: string, options: SendFileOptions = {}): Promise<Response> {
  const full = path.resolve(file);
  const stats = await lookUp(full);
  return fileResponse(full, full, stats, options);
}

/**
 * Sends `filename` (untrusted, e.g. a URL parameter) from inside `directory`, as Flask's
 * `send_from_directory`. A NUL character is 400; a backslash, a `..`, `.` or empty segment, an
 * absolute name, a dotfile segment (unless `allowDotfiles`), a symlink leading outside the
 * directory (unless `allowSymlinksOutside`), a directory, a missing, unreadable or overlong
 * name are all 404, with no path in the answer.
 *
 * @example
 * ```ts
 * app.get("/uploads/<path:name>", (req) => sendFromDirectory("/srv/uploads", req.params.name));
 * ```
 */
export async function sendFromDirectory(
  directory: string,
  filename: string,
  options: SendFromDirectoryOptions = {},
): Promise<Response> {
  const root = path.resolve(directory);
  const joined = safeJoin(root, filename, { allowDotfiles: options.allowDotfiles === true });
  let target = joined;
  if (options.allowSymlinksOutside !== true) {
    // Resolve both: the root itself may be a symlink (a "current" release directory).
    const [realRoot, realTarget] = await Promise.all([
      realpath(root).catch(notFound),
      realpath(joined).catch(notFound),
    ]);
    if (!insideRoot(realRoot, realTarget)) throw new NotFound();
    // Open what was checked, not a name a later symlink swap could redirect.
    target = realTarget;
  }
  const stats = await lookUp(target);
  return fileResponse(target, joined, stats, options);
}

/**
 * A handler serving files from `folder` for a route with a `<path:filename>` parameter: what an
 * app registers as its `static` endpoint, and what a blueprint registers under its prefix.
 *
 * @example
 * ```ts
 * bp.get("/assets/<path:filename>", { endpoint: "static" }, staticFiles("/srv/admin/static"));
 * ```
 */
export function staticFiles(
  folder: string,
  options: SendFromDirectoryOptions = {},
): (req: Request) => Promise<Response> {
  const root = path.resolve(folder);
  return (req) => {
    const name = req.params.filename;
    if (typeof name !== "string") return Promise.reject(new NotFound());
    return sendFromDirectory(root, name, options);
  };
}

/**
 * Turns a file response into its final answer for `req`, in place: 206 with Content-Range,
 * 304 without a body, 416 with `Content-Range: bytes *\/size` and an error page, or 200 with its
 * Content-Length; fills Cache-Control from `config.sendFileMaxAge` when nothing set it. Any
 * other response is returned untouched, as is a file response whose status a hook changed from
 * 200 (it is sent whole). The dispatcher calls this once, after the afterRequest hooks.
 *
 * @example
 * ```ts
 * writeResponse(res, prepareFileResponse(response, req, config), req.method === "HEAD");
 * ```
 */
export function prepareFileResponse(response: Response, req: Request, config: Config): Response {
  const body = response.body;
  if (!(body instanceof FileBody)) return response;
  const headers = response.headers;
  if (!headers.has("cache-control")) {
    headers.set("Cache-Control", cacheControl(configMaxAge(config)));
  }
  if (response.status === 200 && body.conditional) {
    const validators = { etag: headers.get("etag"), lastModified: headers.get("last-modified") };
    const answer = decideFileAnswer(req.method, req.headers, validators, body.size);
    switch (answer.kind) {
      case "not_modified":
        response.status = 304;
        response.body = null;
        headers.delete("content-length");
        return response;
      case "unsatisfiable": {
        const page = errorResponse(new RangeNotSatisfiable(), {
          json: prefersJson(req.headers.accept),
        });
        response.status = 416;
        response.body = page.body;
        headers.set("Content-Type", page.contentType ?? "text/plain; charset=utf-8");
        headers.set("Content-Range", `bytes */${body.size}`);
        headers.delete("content-disposition");
        return response;
      }
      case "partial":
        response.status = 206;
        response.body = body.range(answer.start, answer.end);
        headers.set("Content-Range", `bytes ${answer.start}-${answer.end}/${body.size}`);
        headers.set("Content-Length", answer.end - answer.start + 1);
        return response;
      default:
        break;
    }
  }
  headers.set("Content-Length", body.end - body.start + 1);
  return response;
}

/**
 * Where the app's static route points, from `new Phial()`'s options, or `null` when
 * `staticFolder` is `null`. `register` says whether to add the route: always for an explicit
 * folder (a missing one then answers 404, as in Flask), only when it exists for the default
 * `"static"`, so apps without one keep an empty route table.
 *
 * @example
 * ```ts
 * staticSetup("/srv/app", {}); // { folder: "/srv/app/static", urlPath: "/static", rule: "/static/<path:filename>", register: true }
 * ```
 */
export function staticSetup(
  rootPath: string,
  options: { staticFolder?: string | null; staticUrlPath?: string },
): { folder: string; urlPath: string; rule: string; register: boolean } | null {
  if (options.staticFolder === null) return null;
  const folder = path.resolve(rootPath, options.staticFolder ?? "static");
  // Flask's default URL path is the folder's base name: "/static" for ".../static".
  let urlPath = options.staticUrlPath ?? `/${path.basename(folder)}`;
  if (urlPath !== "" && (!urlPath.startsWith("/") || /[:*?#{}()<>\\[\]]/.test(urlPath))) {
    throw new SetupError(
      `staticUrlPath must be a plain path starting with "/", got ${JSON.stringify(urlPath)}.`,
    );
  }
  urlPath = urlPath.replace(/\/+$/, "");
  let register = options.staticFolder !== undefined;
  if (!register) {
    try {
      register = statSync(folder).isDirectory();
    } catch {
      register = false;
    }
  }
  return { folder, urlPath, rule: `${urlPath}/<path:filename>`, register };
}

function fileResponse(
  target: string,
  name: string,
  stats: Stats,
  options: SendFileOptions,
): Response {
  const conditional = options.conditional !== false;
  const shown = options.downloadName ?? path.basename(name);
  const type = options.mimetype ?? (mime.lookup(shown) || "application/octet-stream");
  const response = new Response(new FileBody(target, stats.size, conditional), {
    headers: {
      "Content-Type": mime.contentType(type) || type,
      "X-Content-Type-Options": "nosniff",
      "Last-Modified": httpDate(stats.mtimeMs),
    },
  });
  const headers = response.headers;
  const etag = options.etag ?? true;
  if (etag !== false) {
    headers.set("ETag", etag === true ? fileEtag(stats.size, stats.mtimeMs) : etagHeader(etag));
  }
  if (conditional) headers.set("Accept-Ranges", "bytes");
  if (options.maxAge !== undefined) headers.set("Cache-Control", cacheControl(options.maxAge));
  if (options.asAttachment === true || options.downloadName !== undefined) {
    const type = options.asAttachment === true ? "attachment" : "inline";
    headers.set("Content-Disposition", contentDisposition(type, shown));
  }
  return response;
}

function cacheControl(maxAge: number | undefined): string {
  if (maxAge === undefined) return "no-cache";
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
    throw new TypeError(`maxAge must be a whole number of seconds, got ${String(maxAge)}.`);
  }
  return maxAge === 0 ? "no-cache, max-age=0" : `public, max-age=${maxAge}`;
}

function configMaxAge(config: Config): number | undefined {
  // config.validate() checked it at start-up; null means "no max-age, revalidate".
  return config.sendFileMaxAge ?? undefined;
}

// Codes meaning "there is no readable file by that name": all answered 404, never 500.
const MISSING = new Set([
  "ENOENT",
  "ENOTDIR",
  "EISDIR",
  "ENAMETOOLONG",
  "EACCES",
  "EPERM",
  "ELOOP",
  "EINVAL",
]);

function notFound(err: unknown): never {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && MISSING.has(code)) throw new NotFound(undefined, { cause: err });
  throw err;
}

/** Stats a regular, readable file; anything else (directory, FIFO, missing) is NotFound. */
async function lookUp(file: string): Promise<Stats> {
  const stats = await stat(file).catch(notFound);
  if (!stats.isFile()) throw new NotFound();
  // Checked now so an unreadable file is a 404 rather than a connection cut after the headers.
  await access(file, constants.R_OK).catch(notFound);
  return stats;
}
