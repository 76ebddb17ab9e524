/**
 * An app split into blueprints: an HTML site at / and a JSON API at /api, configured from the
 * environment. Run it with the phial CLI, which finds `createApp` and reads `.env`:
 *
 *   npm run example:blueprints
 *   PHIAL_SITE_NAME="My notes" PHIAL_PAGE_SIZE=5 npm run example:blueprints
 *
 * then try http://127.0.0.1:5000/ and
 *   curl -X POST -H 'content-type: application/json' -d '{"title":"hi"}' 127.0.0.1:5000/api/notes
 *   curl 127.0.0.1:5000/api/nope     # a JSON 404, while /nope is the site's HTML 404
 */
// In your own project: import { ... } from "phial";
import { ConfigError, Phial } from "../../src/index.ts";
import { apiBlueprint } from "./api.ts";
import { NoteStore } from "./notes.ts";
import { siteBlueprint } from "./site.ts";

/** Builds the app; `env` is where settings come from (the process's environment by default). */
export function createApp(env: NodeJS.ProcessEnv = process.env): Phial {
  const app = new Phial({ contextLocals: true });
  // Defaults first, then PHIAL_* variables over them: PHIAL_SITE_NAME, PHIAL_PAGE_SIZE,
  // PHIAL_DEBUG, PHIAL_MAX_CONTENT_LENGTH, ...
  app.config.fromObject({ siteName: "phial notes", pageSize: 20 }).fromEnv("PHIAL_", env);
  const size = app.config.pageSize;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 1) {
    throw new ConfigError(
      `config.pageSize must be a whole number from 1, got ${JSON.stringify(size)}; set PHIAL_PAGE_SIZE.`,
    );
  }

  const store = new NoteStore();
  app.registerBlueprint(siteBlueprint(store));
  app.registerBlueprint(apiBlueprint(store));
  return app;
}
