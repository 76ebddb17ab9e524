/**
 * Hono 4 on Node as its README shows it: `new Hono()` (default SmartRouter), `c.json()`,
 * `c.req.param()` / `c.req.json()`, the default 404, served with `serve({ fetch: app.fetch, port,
 * hostname })` from @hono/node-server.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { githubRoutes } from "../lib/github-routes.ts";
import type { AppKind } from "../lib/scenarios.ts";

export async function start(app: AppKind, port: number): Promise<void> {
  const hono = new Hono();
  if (app === "basic") {
    hono.get("/", (c) => c.json({ hello: "world" }));
    hono.get("/user/:id", (c) => c.json({ id: c.req.param("id") }));
    hono.post("/echo", async (c) => c.json(await c.req.json()));
  } else {
    for (const r of githubRoutes()) {
      const route = r.id;
      hono.on(r.method, r.pattern, (c) => c.json({ route, params: c.req.param() }));
    }
  }
  await new Promise<void>((resolve, reject) => {
    const server = serve({ fetch: hono.fetch, port, hostname: "127.0.0.1" }, () => resolve());
    server.once("error", reject);
  });
}
