import { statSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { peerParents } from "../internal/peer.ts";
import { type AppLike, describeValue, isApp } from "./app-like.ts";
import { CliError } from "./errors.ts";
import { registerTsx } from "./tsx.ts";

const TYPESCRIPT = new Set([".ts", ".mts", ".cts"]);
const JAVASCRIPT = new Set([".js", ".mjs", ".cjs"]);

/**
 * Resolves the `<module>` argument against `cwd` and checks that it is a file phial can load,
 * so a typo fails with the path that was tried instead of an import error.
 *
 * @example
 * ```ts
 * resolveModule("/srv/site", "app.ts"); // "/srv/site/app.ts", or throws module_not_found
 * ```
 */
export function resolveModule(cwd: string, spec: string): string {
  const path = resolve(cwd, spec);
  const ext = extname(path);
  if (!TYPESCRIPT.has(ext) && !JAVASCRIPT.has(ext)) {
    throw new CliError(
      `${spec} is not a module phial can load; pass a .ts, .mts, .js or .mjs file.`,
      "unsupported_module",
      2,
    );
  }
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // Reported below with the resolved path.
  }
  if (!isFile) {
    throw new CliError(
      `No such file: ${path}. Pass the path of the module that creates your app, relative to ${cwd}.`,
      "module_not_found",
      2,
    );
  }
  return path;
}

/**
 * Imports the module at `path` (TypeScript through tsx) and returns its app: the `app` export,
 * else the result of calling `createApp()` (awaited), else a default export that is either.
 *
 * @example
 * ```ts
 * const app = await loadApp(resolveModule(process.cwd(), "app.ts"), { cwd: process.cwd(), label: "app.ts" });
 * ```
 */
export async function loadApp(
  path: string,
  options: { cwd: string; label: string },
): Promise<AppLike> {
  if (TYPESCRIPT.has(extname(path))) {
    await registerTsx(peerParents(options.cwd));
  }
  let ns: Record<string, unknown>;
  try {
    ns = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new CliError(
      `Importing ${options.label} failed: ${err instanceof Error ? err.message : String(err)}`,
      "import_failed",
      1,
      { cause: err },
    );
  }
  return findApp(exportsOf(ns), options.label);
}

/**
 * The module's exports by name. A CommonJS module (a .ts file in a package without
 * `"type": "module"` becomes one) arrives as `{ default: module.exports }`, so its properties
 * are read through.
 */
function exportsOf(ns: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(ns);
  const only = ns.default;
  if (
    keys.length === 1 &&
    keys[0] === "default" &&
    typeof only === "object" &&
    only !== null &&
    !isApp(only)
  ) {
    return only as Record<string, unknown>;
  }
  return ns;
}

async function findApp(exported: Record<string, unknown>, label: string): Promise<AppLike> {
  if ("app" in exported) {
    if (isApp(exported.app)) return exported.app;
    throw new CliError(
      `${label} exports \`app\`, but it is ${describeValue(exported.app)}, not a phial app (one with handler, listen, close and rules). Export your Phial instance as \`app\`.`,
      "not_an_app",
    );
  }
  if ("createApp" in exported) return callFactory(exported.createApp, "createApp()", label);
  const fallback = exported.default;
  if (isApp(fallback)) return fallback;
  if (typeof fallback === "function") return callFactory(fallback, "the default export", label);
  const names = Object.keys(exported);
  throw new CliError(
    `${label} exports neither \`app\` nor \`createApp()\`; it exports: ${names.length > 0 ? names.join(", ") : "nothing"}. Export your Phial instance as \`app\` or a factory as \`createApp\`.`,
    "app_not_found",
  );
}

async function callFactory(factory: unknown, name: string, label: string): Promise<AppLike> {
  if (typeof factory !== "function") {
    throw new CliError(
      `${label} exports ${name.replace("()", "")}, but it is ${describeValue(factory)}, not a function.`,
      "not_an_app",
    );
  }
  let made: unknown;
  try {
    made = await (factory as () => unknown)();
  } catch (err) {
    throw new CliError(
      `${name} in ${label} threw: ${err instanceof Error ? err.message : String(err)}`,
      "factory_failed",
      1,
      { cause: err },
    );
  }
  if (isApp(made)) return made;
  throw new CliError(
    `${name} in ${label} returned ${describeValue(made)}, not a phial app; return your Phial instance from it.`,
    "not_an_app",
  );
}
