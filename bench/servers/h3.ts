/**
 * h3 v2 as h3.dev documents it for Node: `new H3()`, handlers returning plain objects (sent as
 * JSON), `getRouterParam(s)` (params are not percent-decoded unless asked: h3's default, kept),
 * `readBody(event)` (JSON.parse of the text, 400 on bad JSON), the default 404, served with
 * `serve(app, { port, hostname })` from "h3" (srvx's Node adapter underneath). `silent` only
 * drops srvx's console output; `gracefulShutdown: false` drops its SIGINT/SIGTERM hooks so the
 * server dies on a signal like the others.
 */
import { getRouterParam, getRouterParams, H3, type HTTPMethod, readBody, serve } from "h3";
import { githubRoutes } from "../lib/github-routes.ts";
import type { AppKind } from "../lib/scenarios.ts";

export async function start(app: AppKind, port: number): Promise<void> {
  const h3 = new H3();
  if (app === "basic") {
    h3.get("/", () => ({ hello: "world" }));
    h3.get("/user/:id", (event) => ({ id: getRouterParam(event, "id") }));
    h3.post("/echo", (event) => readBody(event));
  } else {
    for (const r of githubRoutes()) {
      const route = r.id;
      h3.on(r.method as HTTPMethod, r.pattern, (event) => ({
        route,
        params: getRouterParams(event),
      }));
    }
  }
  const server = serve(h3, { port, hostname: "127.0.0.1", silent: true, gracefulShutdown: false });
  await server.ready();
}
