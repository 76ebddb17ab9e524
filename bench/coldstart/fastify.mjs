// Cold start: Fastify with the same 1000 routes, no logger.
import Fastify from "fastify";
import { coldRoutes, firstRequest } from "./routes.mjs";

const app = Fastify();
for (const [pattern] of coldRoutes()) {
  app.get(pattern, (req) => ({ id: req.params.id ?? "static" }));
}
await app.listen({ port: 0, host: "127.0.0.1" });
await firstRequest(app.server.address().port);
await app.close();
