/**
 * phial under benchmark: the apps of phial-apps.ts on `app.listen()`, as a user runs them,
 * from dist/ (the compiled package; `npm run bench` builds it first), not from the TypeScript
 * sources through tsx, as every peer runs its published JavaScript.
 */
import { Phial } from "../../dist/index.js";
import type { AppKind } from "../lib/scenarios.ts";
import { createApp, type PhialClass } from "./phial-apps.ts";

export async function start(app: AppKind, port: number): Promise<void> {
  // dist's Phial and src's are two declarations of one class; private fields make TypeScript
  // treat them as unrelated types, though they are the same code.
  await createApp(app, Phial as unknown as PhialClass).listen({ port, host: "127.0.0.1" });
}
