/**
 * Correctness check for the peer servers: `node --import tsx bench/servers/check.ts`.
 * Starts each framework's basic and github apps in this process (ports 41000+) and runs the same
 * checks bench/http.ts runs before timing (bench/lib/verify.ts): every scenario, and on the github
 * app all 203 routes plus the MISS_PATH 404. node-http's github app is the no-router floor, so it
 * gets only its deep-route scenario and the miss. Prints a table; exits 1 on any failure.
 */
import { MISS_PATH } from "../lib/github-routes.ts";
import { type AppKind, scenarios } from "../lib/scenarios.ts";
import { verifyGithubApp, verifyScenario } from "../lib/verify.ts";

const FRAMEWORKS = ["node-http", "fastify", "hono", "h3", "express", "koa"] as const;
const GITHUB_ALL = "github: 203 routes + miss";

type Start = (app: AppKind, port: number) => Promise<void>;

async function attempt(failures: string[], what: string, check: () => Promise<void>) {
  try {
    await check();
    return "pass";
  } catch (err) {
    failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    return "FAIL";
  }
}

const rows: Record<string, string>[] = [];
const failures: string[] = [];
for (const [i, framework] of FRAMEWORKS.entries()) {
  const { start } = (await import(`./${framework}.ts`)) as { start: Start };
  const port = { basic: 41000 + 2 * i, github: 41001 + 2 * i };
  const base = {
    basic: `http://127.0.0.1:${port.basic}`,
    github: `http://127.0.0.1:${port.github}`,
  };
  const row: Record<string, string> = { framework };
  const started = await attempt(failures, `${framework} start`, async () => {
    await start("basic", port.basic);
    await start("github", port.github);
  });
  if (started === "FAIL") {
    rows.push(row);
    continue;
  }
  for (const s of scenarios) {
    row[s.name] = await attempt(failures, `${framework} ${s.name}`, () =>
      verifyScenario(base[s.app], s),
    );
  }
  row[GITHUB_ALL] =
    framework === "node-http"
      ? await attempt(failures, `${framework} miss`, async () => {
          const res = await fetch(base.github + MISS_PATH);
          await res.arrayBuffer();
          if (res.status !== 404) throw new Error(`miss: expected 404, got ${res.status}`);
        })
      : await attempt(failures, `${framework} github`, () => verifyGithubApp(base.github));
  rows.push(row);
}

// A hand-made table: console.table would put the "404" column first (integer-like key).
const columns = ["framework", ...scenarios.map((s) => s.name), GITHUB_ALL];
const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? "").length)));
const line = (cells: string[]) =>
  cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join(" | ")
    .trimEnd();
console.log(line(columns));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const r of rows) console.log(line(columns.map((c) => r[c] ?? "")));
for (const f of failures) console.error(`FAIL ${f}`);
console.log(failures.length === 0 ? "all checks passed" : `${failures.length} check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
