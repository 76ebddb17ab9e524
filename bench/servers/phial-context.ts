/**
 * phial with context locals on (`contextLocals: true`), its handlers reading the request through
 * the `request` local as a Flask-style app does: what opting in costs, next to plain `phial`.
 */
import { Phial, request } from "../../dist/index.js";
import type { Request } from "../../src/index.ts";
import type { AppKind } from "../lib/scenarios.ts";
import { createApp, type PhialClass } from "./phial-apps.ts";

export async function start(app: AppKind, port: number): Promise<void> {
  // dist's declarations and src's are the same code; see phial.ts.
  const context = { request: request as unknown as Request };
  await createApp(app, Phial as unknown as PhialClass, { context }).listen({
    port,
    host: "127.0.0.1",
  });
}
