/**
 * Child-process entry of the soak: `server.ts <root>`. Serves the soak app from dist/ (the
 * compiled package, as users run it) on a free port, reports the port, and answers probes: a
 * forced garbage collection, then `process.memoryUsage()` and the app's gauges. Run with
 * `--expose-gc`; the parent reads fds, RSS and CPU from /proc itself.
 */
import * as dist from "../../dist/index.js";
import { createSoakApp, newGauges, type PhialKit } from "./app.ts";
import type { ToParent, ToServer } from "./server-process.ts";

const root = process.argv[2];
if (root === undefined) throw new Error("Usage: server.ts <root folder with static/>");
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("Run the soak server with --expose-gc.");

const gauges = newGauges();
// dist's declarations and src's are the same code; private fields make TypeScript see two types.
const app = createSoakApp(dist as unknown as PhialKit, root, gauges);
await app.listen({ port: 0, host: "127.0.0.1" });
const send = (message: ToParent) => process.send?.(message);
send({ type: "ready", port: app.address()?.port ?? 0 });

process.on("message", (message: ToServer) => {
  if (message.type !== "probe") return;
  // Two passes: the first can leave objects whose finalizers free more for the second.
  gc();
  gc();
  send({ type: "probe", id: message.id, memory: process.memoryUsage(), gauges });
});
// The parent owns the lifetime: when it goes, so does this server.
process.on("disconnect", () => process.exit(0));
