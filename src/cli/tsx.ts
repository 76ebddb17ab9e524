import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { resolvePeer } from "../internal/peer.ts";
import { CliError } from "./errors.ts";

interface TsxApi {
  register(): unknown;
}

let registered: Promise<void> | undefined;

/**
 * Makes `import()` understand TypeScript (and TC39 decorators) by registering tsx's ESM and
 * CommonJS hooks, with the first tsx found from `parents` (paths of files to resolve from: the
 * user's `package.json` first, so their tsx version wins, then phial's own location). Registers
 * once per process. Throws a `tsx_missing` CliError when no tsx is installed.
 *
 * @example
 * ```ts
 * await registerTsx(peerParents());
 * await import(pathToFileURL("app.ts").href);
 * ```
 */
export function registerTsx(parents: readonly string[]): Promise<void> {
  registered ??= register(parents).catch((err: unknown) => {
    registered = undefined;
    throw err;
  });
  return registered;
}

async function register(parents: readonly string[]): Promise<void> {
  // package.json is resolved rather than the API entry: require's conditions would pick the
  // CommonJS build of `tsx/esm/api`, and Node 20 cannot resolve with `import` conditions from an
  // arbitrary parent.
  const manifestPath = resolvePeer("tsx/package.json", parents);
  if (manifestPath === undefined) {
    throw new CliError(
      "Loading a TypeScript module needs tsx: run `npm install -D tsx`, or build your app and run the .js file.",
      "tsx_missing",
    );
  }
  const root = dirname(manifestPath);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
    exports?: unknown;
  };
  // The ESM hooks cover `"type": "module"` packages; the CommonJS hooks cover .ts files that a
  // package without it makes CommonJS. `node --import tsx` registers both, and so do we.
  for (const subpath of ["./esm/api", "./cjs/api"]) {
    const target = exportTarget(manifest.exports, subpath);
    if (target === undefined) {
      throw new CliError(
        `The tsx in ${root} has no "${subpath}" export; install tsx 4 or later (\`npm install -D tsx@latest\`).`,
        "tsx_unsupported",
      );
    }
    const api = (await import(pathToFileURL(join(root, target)).href)) as Partial<TsxApi>;
    if (typeof api.register !== "function") {
      throw new CliError(
        `tsx's ${subpath} has no register(); install tsx 4 or later.`,
        "tsx_unsupported",
      );
    }
    api.register();
  }
}

/** Resolves one subpath of a package `exports` map with the conditions `import()` uses. */
function exportTarget(exports: unknown, subpath: string): string | undefined {
  if (typeof exports !== "object" || exports === null) return undefined;
  return pick((exports as Record<string, unknown>)[subpath]);
}

const IMPORT_CONDITIONS = new Set(["node", "import", "default"]);

function pick(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (typeof entry !== "object" || entry === null) return undefined;
  // As Node does: the first key, in the map's own order, that names a condition we meet.
  for (const [condition, target] of Object.entries(entry)) {
    if (!IMPORT_CONDITIONS.has(condition)) continue;
    const found = pick(target);
    if (found !== undefined) return found;
  }
  return undefined;
}
