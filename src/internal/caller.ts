/**
 * Finds the directory of the user's module that called into phial, so `new Phial()` (and
 * blueprints) can resolve `static/` next to the file that created them, as Flask's `root_path`
 * does with `__name__`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

// This file is src/internal/caller.ts (or dist/internal/caller.js): its parent is phial's own code.
const OWN_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OWN_PREFIX = OWN_ROOT + path.sep;

/**
 * The directory of the first file on the call stack that is not part of phial's own `src/` (or
 * `dist/`), i.e. the module that called `new Phial()` or `new MyApp()` for a subclass. Falls back
 * to `process.cwd()` when no frame has a file (a REPL, `eval`).
 *
 * @example
 * ```ts
 * // in /srv/app/server.ts, called from the Phial constructor:
 * callerDirectory(); // "/srv/app"
 * ```
 */
export function callerDirectory(): string {
  for (const file of stackFiles()) {
    if (!file.startsWith(OWN_PREFIX)) return path.dirname(file);
  }
  return process.cwd();
}

/** Absolute file paths of the current stack frames, innermost first. */
function stackFiles(): string[] {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  const files: string[] = [];
  try {
    // Structured call sites instead of parsing the text, whose format source-map tools change.
    Error.stackTraceLimit = 50;
    Error.prepareStackTrace = (_error, sites) => sites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, callerDirectory);
    const sites = holder.stack;
    if (!Array.isArray(sites)) return files;
    for (const site of sites as NodeJS.CallSite[]) {
      const file = toPath(site.getFileName());
      if (file !== undefined) files.push(file);
    }
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  return files;
}

function toPath(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  if (name.startsWith("file:")) {
    try {
      return fileURLToPath(name);
    } catch {
      return undefined;
    }
  }
  // "node:internal/...", "evalmachine.<anonymous>" and the like are not files of the user's.
  return path.isAbsolute(name) ? name : undefined;
}
