/** phial under benchmark: the apps of phial-apps.ts on `app.listen()`, as a user runs them. */
import type { AppKind } from "../lib/scenarios.ts";
import { createApp } from "./phial-apps.ts";

export async function start(app: AppKind, port: number): Promise<void> {
  await createApp(app).listen({ port, host: "127.0.0.1" });
}
