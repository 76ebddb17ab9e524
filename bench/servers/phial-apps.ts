/**
 * phial's two benchmark apps, written as a user would write them. They live apart from the
 * server entry so the replay test (test/bench-apps.test.ts) checks the very apps the benchmark
 * times. The Phial class is passed in: the test gives the one from src/, the benchmark the
 * one from dist/, the compiled JavaScript users install.
 */
import type { Phial, PhialOptions, Request } from "../../src/index.ts";
import { githubRoutes } from "../lib/github-routes.ts";
import type { AppKind } from "../lib/scenarios.ts";

export type PhialClass = new (options?: PhialOptions) => Phial;

/**
 * Where handlers find their request: the `req` argument, or (`context`) the `request` context
 * local of an app created with `contextLocals: true`, as a Flask-style app would.
 */
export interface AppStyle {
  readonly context?: { readonly request: Request };
}

/** GET / JSON, GET /user/:id, the default 404, POST /echo. */
export function basicApp(Phial: PhialClass, style: AppStyle = {}): Phial {
  const ctx = style.context;
  const app = new Phial({ contextLocals: ctx !== undefined });
  app.get("/", function hello() {
    return { hello: "world" };
  });
  app.get("/user/:id", function user(req) {
    return { id: (ctx?.request ?? req).params.id };
  });
  app.post("/echo", async function echo(req) {
    return (await (ctx?.request ?? req).json()) as object;
  });
  return app;
}

/** The 203 GitHub API routes; each answers which route ran and its params. */
export function githubApp(Phial: PhialClass, style: AppStyle = {}): Phial {
  const ctx = style.context;
  const app = new Phial({ contextLocals: ctx !== undefined });
  for (const route of githubRoutes()) {
    const id = route.id;
    app.route(route.pattern, { methods: [route.method], endpoint: id }, (req) => ({
      route: id,
      params: (ctx?.request ?? req).params,
    }));
  }
  return app;
}

export function createApp(kind: AppKind, Phial: PhialClass, style: AppStyle = {}): Phial {
  return kind === "basic" ? basicApp(Phial, style) : githubApp(Phial, style);
}
