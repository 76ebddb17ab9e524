/**
 * phial's two benchmark apps, written as a user would write them. They live apart from the
 * server entry so the replay test (test/bench-apps.test.ts) checks the very apps the benchmark
 * times. The Phial class is passed in: the test gives the one from src/, the benchmark the
 * one from dist/, the compiled JavaScript users install.
 */
import type { Phial } from "../../src/index.ts";
import { githubRoutes } from "../lib/github-routes.ts";
import type { AppKind } from "../lib/scenarios.ts";

/** GET / JSON, GET /user/:id, the default 404, POST /echo. */
export type PhialClass = new () => Phial;

export function basicApp(Phial: PhialClass): Phial {
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
export function githubApp(Phial: PhialClass): Phial {
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

export function createApp(kind: AppKind, Phial: PhialClass): Phial {
  return kind === "basic" ? basicApp(Phial) : githubApp(Phial);
}
