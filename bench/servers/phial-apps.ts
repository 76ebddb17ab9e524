/**
 * phial's two benchmark apps, written as a user would write them. They live apart from the
 * server entry so the replay test (test/bench-apps.test.ts) checks the very apps the benchmark
 * times.
 */
import { Phial } from "../../src/index.ts";
import { githubRoutes } from "../lib/github-routes.ts";
import type { AppKind } from "../lib/scenarios.ts";

/** GET / JSON, GET /user/:id, the default 404, POST /echo. */
export function basicApp(): Phial {
  const app = new Phial();
  app.get("/", function hello() {
    return { hello: "world" };
  });
  app.get("/user/:id", function user(req) {
    return { id: req.params.id };
  });
  app.post("/echo", async function echo(req) {
    return (await req.json()) as object;
  });
  return app;
}

/** The 203 GitHub API routes; each answers which route ran and its params. */
export function githubApp(): Phial {
  const app = new Phial();
  for (const route of githubRoutes()) {
    const id = route.id;
    app.route(route.pattern, { methods: [route.method], endpoint: id }, (req) => ({
      route: id,
      params: req.params,
    }));
  }
  return app;
}

export function createApp(kind: AppKind): Phial {
  return kind === "basic" ? basicApp() : githubApp();
}
