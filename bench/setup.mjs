// `npm run bench` step one: build phial (the router and cold-start benchmarks use dist/) and
// install bench/'s own dependencies when they are missing or the lock file changed since.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const root = new URL("..", import.meta.url);
const bench = new URL(".", import.meta.url);
execFileSync(npm, ["run", "build"], { cwd: root, stdio: "inherit" });

const lock = new URL("package-lock.json", bench);
const installed = new URL("node_modules/.package-lock.json", bench);
const read = (url) => (existsSync(url) ? JSON.parse(readFileSync(url, "utf8")).packages : null);
// npm keeps a copy of the resolved tree in node_modules; equal package sets mean up to date.
const wanted = read(lock) ?? {};
const have = read(installed) ?? {};
const stale = Object.keys(wanted).some((k) => k !== "" && wanted[k]?.version !== have[k]?.version);
if (stale) {
  console.error("Installing the benchmark's dependencies (bench/package.json)...");
  execFileSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: bench, stdio: "inherit" });
}
// The benchmark's own code is type-checked too (its peers' types live in bench/node_modules).
execFileSync(npm, ["exec", "--", "tsc", "-p", "bench"], { cwd: root, stdio: "inherit" });
