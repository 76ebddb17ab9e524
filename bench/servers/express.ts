/**
 * Express 5 as its docs show it: `express()`, `res.json()`, `req.params`, `express.json()` on the
 * /echo route only, the default 404 (finalhandler's "Cannot GET ..." HTML page), `app.listen(port,
 * host, cb)`. Defaults left as a user gets them (ETag and X-Powered-By stay on).
 */
import express from "express";
import { githubRoutes } from "../lib/github-routes.ts";
import type { AppKind } from "../lib/scenarios.ts";

export async function start(app: AppKind, port: number): Promise<void> {
  const server = express();
  if (app === "basic") {
    server.get("/", (_req, res) => {
      res.json({ hello: "world" });
    });
    server.get("/user/:id", (req, res) => {
      res.json({ id: req.params.id });
    });
    server.post("/echo", express.json(), (req, res) => {
      res.json(req.body);
    });
  } else {
    for (const r of githubRoutes()) {
      const route = r.id;
      const method = r.method.toLowerCase() as "get" | "post" | "put" | "delete";
      server[method](r.pattern, (req, res) => {
        res.json({ route, params: req.params });
      });
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.listen(port, "127.0.0.1", (err?: Error) => (err ? reject(err) : resolve()));
  });
}
