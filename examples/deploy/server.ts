/**
 * One phial process, as a process manager (systemd, pm2, a container) runs it: it listens on
 * HOST:PORT (default 127.0.0.1:8000, behind nginx) and, on SIGTERM or SIGINT, stops taking
 * connections, lets the requests under way finish (25 s at most) and exits.
 *
 *   PHIAL_SECRET_KEY=... PHIAL_TRUSTED_HOSTS=example.com node --import tsx examples/deploy/server.ts
 */
import { createApp } from "./app.ts";

const app = createApp();
await app.listen({
  host: process.env.HOST ?? "127.0.0.1",
  port: Number(process.env.PORT ?? 8000),
});
// The 25 s stay below the process manager's own deadline (systemd's TimeoutStopSec, pm2's
// kill_timeout). Installed before the line below, which tells the world the server is up.
app.closeOnSignals({ timeout: 25_000 }).closed.then(({ signal, forced }) => {
  console.log(`pid ${process.pid} closed on ${signal}${forced ? ", cutting open requests" : ""}`);
  if (forced) process.exitCode = 1;
  // Close your database pool here. Then Node exits by itself, unless a process manager that
  // forked this process (pm2) still holds its IPC channel open: let go of it.
  if (process.connected) process.disconnect();
});
const { address, port } = app.address() ?? {};
console.log(`pid ${process.pid} serving on http://${address}:${port}`);
