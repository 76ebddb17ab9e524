/**
 * Dependency footprint: what `npm install <framework>` puts in a fresh project. phial is the
 * tarball `npm pack` makes of this checkout (what `npm install phial` would fetch); the peers are
 * the versions bench/package.json pins. Counted from npm's own record of the tree it installed
 * (node_modules/.package-lock.json), and sized as the bytes of every file under node_modules.
 * Hono is listed twice: alone, and with @hono/node-server, which it needs to serve on Node.
 */
import { execFileSync } from "node:child_process";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface FootprintRow {
  name: string;
  /** What was installed: the tarball, or `package@version`. */
  specs: string[];
  /** Packages in node_modules, the framework itself included. */
  packages: number;
  /** Bytes of every file under node_modules. */
  bytes: number;
  /** Packages with an install script: each runs code at install time. */
  installScripts: number;
}

export interface FootprintResult {
  npm: string;
  rows: FootprintRow[];
}

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BENCH = fileURLToPath(new URL(".", import.meta.url));

function pinned(name: string): string {
  const manifest = JSON.parse(readFileSync(join(BENCH, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const version = manifest.dependencies[name];
  if (version === undefined) throw new Error(`bench/package.json does not pin ${name}`);
  return `${name}@${version}`;
}

/** Apparent size of every file below `dir` (symlinks counted as links, not followed). */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else total += lstatSync(path).size;
  }
  return total;
}

function measure(name: string, specs: string[], work: string): FootprintRow {
  const dir = join(work, name.replaceAll(/[^a-z0-9]+/gi, "-"));
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "footprint", private: true }));
  execFileSync(NPM, ["install", "--no-audit", "--no-fund", "--ignore-scripts", ...specs], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const tree = JSON.parse(
    readFileSync(join(dir, "node_modules", ".package-lock.json"), "utf8"),
  ) as { packages: Record<string, { hasInstallScript?: boolean }> };
  const entries = Object.entries(tree.packages).filter(([key]) => key.startsWith("node_modules/"));
  return {
    name,
    specs,
    packages: entries.length,
    bytes: bytesUnder(join(dir, "node_modules")),
    installScripts: entries.filter(([, p]) => p.hasInstallScript === true).length,
  };
}

export function runFootprintBench(): FootprintResult {
  const work = mkdtempSync(join(tmpdir(), "phial-footprint-"));
  try {
    const packed = execFileSync(NPM, ["pack", "--json", "--pack-destination", work], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [info] = JSON.parse(packed.slice(packed.indexOf("["))) as { filename: string }[];
    if (info === undefined) throw new Error("npm pack reported no package");
    const rows = [
      measure("phial", [join(work, info.filename)], work),
      measure("fastify", [pinned("fastify")], work),
      measure("express", [pinned("express")], work),
      measure("hono", [pinned("hono")], work),
      measure("hono + @hono/node-server", [pinned("hono"), pinned("@hono/node-server")], work),
    ];
    const npm = execFileSync(NPM, ["--version"], { encoding: "utf8" }).trim();
    return { npm, rows };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
