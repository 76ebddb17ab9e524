/**
 * Flask's tutorial app (flaskr) in phial: register, log in, write, edit and delete posts.
 * Sessions, flash messages, Nunjucks templates, a stylesheet from static/, and SQLite.
 *
 *   npm run example:blog        # http://127.0.0.1:5000, database in examples/blog/instance/
 *
 * Settings come from PHIAL_* variables (the phial CLI reads them, and a .env file):
 * PHIAL_SECRET_KEY (set a long random one outside development) and PHIAL_DATABASE.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// In your own project: import { ... } from "phial";
import { Phial } from "../../src/index.ts";
import { authBlueprint, loadUser } from "./auth.ts";
import { blogBlueprint } from "./blog.ts";
import { openDb } from "./db.ts";

const HERE = dirname(fileURLToPath(import.meta.url));

export interface BlogOptions {
  /** The SQLite file; default `instance/blog.sqlite` next to this module. */
  database?: string;
  /** Settings over the defaults and the environment (tests pass their own). */
  config?: Record<string, unknown>;
}

export function createApp(options: BlogOptions = {}): Phial {
  const app = new Phial({ contextLocals: true, rootPath: HERE });
  app.config.fromObject({
    // Flask's tutorial does the same: a development key that production must replace.
    secretKey: "dev",
    database: options.database ?? join(HERE, "instance", "blog.sqlite"),
  });
  app.config.fromEnv("PHIAL_").fromObject(options.config ?? {});
  if (app.config.secretKey === "dev" && !app.config.debug && !app.config.testing) {
    app.logger.warn("Using the development secret key; set PHIAL_SECRET_KEY in production.");
  }
  const db = openDb(String(app.config.database));
  app.beforeRequest(loadUser(db));
  app.registerBlueprint(authBlueprint(db));
  app.registerBlueprint(blogBlueprint(db));
  return app;
}
