/**
 * Finds phial's optional peer dependencies (nunjucks, tsx): from the user's project first, so
 * their version wins, then from phial's own location.
 */
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Where peers are looked for: the project in `cwd`, then phial itself.
 *
 * @example
 * ```ts
 * peerParents("/app"); // ["/app/package.json", "file:///app/node_modules/phial/dist/internal/peer.js"]
 * ```
 */
export function peerParents(cwd: string = process.cwd()): string[] {
  return [path.join(cwd, "package.json"), import.meta.url];
}

/**
 * The path `require.resolve` gives `specifier` from the first of `parents` (paths or file URLs
 * of files to resolve from) where it is installed, or `undefined` when none has it.
 *
 * @example
 * ```ts
 * resolvePeer("nunjucks", peerParents()); // "/app/node_modules/nunjucks/index.js"
 * ```
 */
export function resolvePeer(specifier: string, parents: readonly string[]): string | undefined {
  for (const parent of parents) {
    try {
      return createRequire(parent).resolve(specifier);
    } catch {
      // Not installed there: try the next place.
    }
  }
  return undefined;
}
