// Cold start: phial from its build (dist/), as an installed user gets it, on plain node.
import { Phial } from "../../dist/index.js";
import { coldRoutes, firstRequest } from "./routes.mjs";

const app = new Phial();
for (const [pattern] of coldRoutes()) {
  app.get(pattern, { endpoint: pattern }, (req) => ({ id: req.params.id ?? "static" }));
}
const server = await app.listen({ port: 0 });
await firstRequest(server.address().port);
await app.close();
