/**
 * Child-process entry for one benchmark server: `server-process.ts <framework> <app> <port>`.
 * Each server gets a process of its own so no framework shares a heap or an event loop with
 * another, or with the load generator.
 */
import type { AppKind } from "./scenarios.ts";

const [framework = "", app = "", port = ""] = process.argv.slice(2);
const mod = (await import(`../servers/${framework}.ts`)) as {
  start(app: AppKind, port: number): Promise<void>;
};
await mod.start(app as AppKind, Number(port));
process.send?.("ready");
// The parent owns the lifetime: when it goes, so does this server.
process.on("disconnect", () => process.exit(0));
