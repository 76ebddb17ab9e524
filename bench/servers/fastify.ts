/**
 * Fastify 5 as its README shows it: `Fastify()` (logger off by default), routes with async
 * handlers returning plain objects (serialized as JSON by Fastify), the built-in JSON body parser
 * for /echo, the default 404, `listen({ port, host })`. No response schemas: the other frameworks
 * get none either, and a user starting from the README writes none.
 */
import Fastify from "fastify";
import { githubRoutes } from "../lib/github-routes.ts";
import type { AppKind } from "../lib/scenarios.ts";

export async function start(app: AppKind, port: number): Promise<void> {
  const server = Fastify();
  if (app === "basic") {
    server.get("/", async () => ({ hello: "world" }));
    server.get<{ Params: { id: string } }>("/user/:id", async (req) => ({ id: req.params.id }));
    server.post("/echo", async (req) => req.body);
  } else {
    for (const r of githubRoutes()) {
      const route = r.id;
      server.route({
        method: r.method,
        url: r.pattern,
        handler: async (req) => ({ route, params: req.params }),
      });
    }
  }
  await server.listen({ port, host: "127.0.0.1" });
}
