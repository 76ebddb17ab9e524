// `npm run bench` step one: build phial (the router and cold-start benchmarks use dist/) and
// install bench/'s own dependencies when they are missing or the lock file changed since.
import { execFileSync } from "node:child_process";
import { ensureInstalled } from "../tools/ensure-installed.mjs";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const root = new URL("..", import.meta.url);
execFileSync(npm, ["run", "build"], { cwd: root, stdio: "inherit" });
ensureInstalled(new URL(".", import.meta.url), {
  what: "the benchmark's dependencies",
  retry: "npm run bench -- render",
});
// The benchmark's own code is type-checked too (its peers' types live in bench/node_modules).
execFileSync(npm, ["exec", "--", "tsc", "-p", "bench"], { cwd: root, stdio: "inherit" });
