// Cold start floor: raw node:http with the 1000 paths in a Map (static lookups only; no router).
import { createServer } from "node:http";
import { coldRoutes, firstRequest, firstRequestPath } from "./routes.mjs";

const table = new Map();
for (const [, path] of coldRoutes()) table.set(path, '{"id":"7"}');
const server = createServer((req, res) => {
  const body = table.get(req.url);
  if (body === undefined) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": "application/json" }).end(body);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
if (!table.has(firstRequestPath())) throw new Error("first path missing");
await firstRequest(server.address().port);
server.closeAllConnections();
server.close();
