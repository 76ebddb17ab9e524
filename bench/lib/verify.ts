/** Checks a running server's answers before it is timed: a fast wrong answer is not a result. */
import { deepStrictEqual } from "node:assert/strict";
import { githubRoutes, MISS_PATH } from "./github-routes.ts";
import type { Scenario } from "./scenarios.ts";

async function expectAnswer(
  base: string,
  what: string,
  init: { method: string; path: string; headers?: Record<string, string>; body?: string },
  status: number,
  json?: unknown,
): Promise<void> {
  const res = await fetch(base + init.path, {
    method: init.method,
    headers: init.headers,
    body: init.body,
  });
  const text = await res.text();
  if (res.status !== status) {
    throw new Error(`${what}: expected status ${status}, got ${res.status} (${text.slice(0, 80)})`);
  }
  if (json === undefined) return;
  if (!/^application\/json/.test(res.headers.get("content-type") ?? "")) {
    throw new Error(
      `${what}: expected a JSON content type, got ${res.headers.get("content-type")}`,
    );
  }
  try {
    deepStrictEqual(JSON.parse(text), json);
  } catch {
    throw new Error(`${what}: wrong body ${text.slice(0, 200)}`);
  }
}

/** The scenario's own request and expected answer. */
export function verifyScenario(base: string, s: Scenario): Promise<void> {
  const init = { method: s.method, path: s.path, headers: s.headers, body: s.body };
  return expectAnswer(base, s.name, init, s.status, s.json);
}

/** Every one of the 203 GitHub routes answers with its own id and params; a miss is a 404. */
export async function verifyGithubApp(base: string): Promise<void> {
  for (const r of githubRoutes()) {
    await expectAnswer(base, r.id, { method: r.method, path: r.path }, 200, {
      route: r.id,
      params: r.params,
    });
  }
  await expectAnswer(base, "miss", { method: "GET", path: MISS_PATH }, 404);
}
