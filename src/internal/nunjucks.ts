/**
 * Loads nunjucks, phial's optional template engine, on first use: from the user's project first
 * (so their version wins), then from phial's own location. It is a peer dependency, so an app
 * that never renders a template never needs it installed.
 */
import { createRequire } from "node:module";
// Types only: the runtime module is required lazily, and may not be installed at all.
import type * as Nunjucks from "nunjucks";
import { SetupError } from "../errors.ts";
import { peerParents, resolvePeer } from "./peer.ts";

/** The nunjucks module as phial uses it. */
export type NunjucksModule = typeof Nunjucks;

/**
 * Thrown on the first render when nunjucks cannot be found, or is not a version phial can use.
 *
 * @example
 * ```ts
 * try { req.renderTemplate("index.html") } catch (e) { if (e instanceof NunjucksMissing) console.log(e.code) } // "nunjucks_missing"
 * ```
 */
export class NunjucksMissing extends SetupError {
  // SetupError fixes its code; a distinct one lets tooling tell a missing peer from misuse.
  override readonly code: string = "nunjucks_missing";
}

/**
 * The first nunjucks that `require` resolves from one of `parents` (paths or file URLs of files
 * to resolve from). Synchronous, so rendering stays synchronous; nunjucks is CommonJS.
 *
 * @example
 * ```ts
 * const nunjucks = loadNunjucks(peerParents());
 * new nunjucks.Environment(null, { autoescape: true });
 * ```
 */
export function loadNunjucks(parents: readonly string[] = peerParents()): NunjucksModule {
  const resolved = resolvePeer("nunjucks", parents);
  if (resolved === undefined) {
    throw new NunjucksMissing(
      "Rendering templates needs nunjucks, an optional peer dependency of phial: run `npm install nunjucks`.",
    );
  }
  const module = createRequire(resolved)(resolved) as Partial<NunjucksModule>;
  if (typeof module.Environment !== "function" || typeof module.FileSystemLoader !== "function") {
    throw new NunjucksMissing(
      `The nunjucks found at ${resolved} has no Environment or FileSystemLoader; install nunjucks 3 (\`npm install nunjucks@3\`).`,
    );
  }
  return module as NunjucksModule;
}
