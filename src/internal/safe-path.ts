/**
 * The one place an untrusted file name (from a URL) becomes a filesystem path: security rule 3.
 * Pure string work, so it can be tested exhaustively; the symlink check, which needs the
 * filesystem, is `insideRoot` applied by `static.ts` to real paths.
 */
import path from "node:path";
import { BadRequest, NotFound } from "../errors.ts";

const IS_WIN32 = process.platform === "win32";

/**
 * Options of {@link safeJoin}.
 *
 * @example
 * ```ts
 * const options: SafeJoinOptions = { allowDotfiles: true };
 * ```
 */
export interface SafeJoinOptions {
  /** Serve names with a segment starting with "." (`.env`, `.git/config`). Default false. */
  allowDotfiles?: boolean;
  /** Apply Windows' extra rules (drive letters, `:` streams, trailing dots). Default: on Windows. */
  win32?: boolean;
}

/**
 * Joins the absolute or relative `root` and an untrusted, already percent-decoded `name`
 * ("css/site.css") into an absolute path inside `root`, or throws:
 *
 * - `BadRequest` (400) for a NUL character, which no file name holds and C APIs truncate at;
 * - `NotFound` (404) for an empty name, a backslash, an absolute name, an empty, `.` or `..`
 *   segment, a dotfile segment (unless allowed), and on Windows a `:` or a segment ending in
 *   `.` or a space (Windows drops those, so `".. "` would mean `".."`).
 *
 * Nothing is normalised or decoded here: a name is refused rather than repaired, so what the
 * router matched is exactly what is looked up. The result is also checked with
 * {@link insideRoot}, which must hold by construction, as a second line of defence.
 *
 * @example
 * ```ts
 * safeJoin("/srv/static", "css/site.css"); // "/srv/static/css/site.css"
 * safeJoin("/srv/static", "../etc/passwd"); // throws NotFound
 * ```
 */
export function safeJoin(root: string, name: string, options: SafeJoinOptions = {}): string {
  if (name.includes("\0")) throw new BadRequest("The file name is malformed.");
  checkName(name, options.allowDotfiles === true, options.win32 ?? IS_WIN32);
  const base = path.resolve(root);
  const full = path.resolve(base, name);
  if (!insideRoot(base, full)) throw new NotFound();
  return full;
}

function checkName(name: string, allowDotfiles: boolean, win32: boolean): void {
  if (name === "" || name.includes("\\") || name.charCodeAt(0) === 47 /* "/" */) {
    throw new NotFound();
  }
  if (win32 && name.includes(":")) throw new NotFound();
  let from = 0;
  for (;;) {
    const slash = name.indexOf("/", from);
    const end = slash === -1 ? name.length : slash;
    if (!segmentAllowed(name.slice(from, end), allowDotfiles, win32)) throw new NotFound();
    if (slash === -1) return;
    from = slash + 1;
  }
}

function segmentAllowed(segment: string, allowDotfiles: boolean, win32: boolean): boolean {
  if (segment === "" || segment === "." || segment === "..") return false;
  if (!allowDotfiles && segment.charCodeAt(0) === 46 /* "." */) return false;
  if (win32) {
    const last = segment.charCodeAt(segment.length - 1);
    if (last === 46 || last === 32) return false;
  }
  return true;
}

/**
 * Whether `target` is `root` itself or below it, both absolute and normalised. The separator
 * is part of the check, so `/srv/static-secret` is not inside `/srv/static`.
 *
 * @example
 * ```ts
 * insideRoot("/srv/static", "/srv/static/a.css");     // true
 * insideRoot("/srv/static", "/srv/static-secret/x");  // false
 * ```
 */
export function insideRoot(root: string, target: string): boolean {
  if (target === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return target.startsWith(prefix);
}
