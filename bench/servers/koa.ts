/**
 * Koa 3 with @koa/router, as their READMEs show them: `router.get(path, ctx => { ctx.body = ... })`
 * (Koa sends objects as JSON), `ctx.params`, `app.use(router.routes())`, Koa's default 404,
 * `app.listen(port, host, cb)`. Koa has no body parser and the usual one (@koa/bodyparser) is not
 * installed, so /echo reads the raw body with a few lines and JSON.parse (400 on bad JSON, as a
 * body parser would answer). No allowedMethods(): the apps have no use for 405s.
 */
import type { IncomingMessage } from "node:http";
import Router from "@koa/router";
import Koa from "koa";
import { githubRoutes } from "../lib/github-routes.ts";
import type { AppKind } from "../lib/scenarios.ts";

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

export async function start(app: AppKind, port: number): Promise<void> {
  const koa = new Koa();
  const router = new Router();
  if (app === "basic") {
    router.get("/", (ctx) => {
      ctx.body = { hello: "world" };
    });
    router.get("/user/:id", (ctx) => {
      ctx.body = { id: ctx.params.id };
    });
    router.post("/echo", async (ctx) => {
      try {
        ctx.body = await readJson(ctx.req);
      } catch {
        ctx.throw(400, "Invalid JSON");
      }
    });
  } else {
    for (const r of githubRoutes()) {
      const route = r.id;
      const method = r.method.toLowerCase() as "get" | "post" | "put" | "delete";
      router[method](r.pattern, (ctx) => {
        ctx.body = { route, params: ctx.params };
      });
    }
  }
  koa.use(router.routes());
  await new Promise<void>((resolve, reject) => {
    koa.listen(port, "127.0.0.1", () => resolve()).once("error", reject);
  });
}
