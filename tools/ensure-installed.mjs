// Installs the dependencies of a sub-package that keeps its own lock file (bench/, tools/docs/)
// when they are missing or differ from the lock. Cheap when nothing changed: it compares two JSON
// files, so every command that needs the sub-package can call it first.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

function packages(url) {
  return existsSync(url) ? JSON.parse(readFileSync(url, "utf8")).packages : null;
}

/** True when `dir`'s node_modules holds every package at the version its lock file pins. */
export function isInstalled(dir) {
  const wanted = packages(new URL("package-lock.json", dir)) ?? {};
  // npm keeps a copy of the tree it installed in node_modules; equal versions mean up to date.
  const have = packages(new URL("node_modules/.package-lock.json", dir)) ?? {};
  return Object.keys(wanted).every((k) => k === "" || wanted[k]?.version === have[k]?.version);
}

/**
 * Runs `npm ci` in `dir` (a directory URL ending in "/") unless it is up to date. `what` names the
 * sub-package in the progress line; `retry` is the command that installs it, for the error when
 * npm fails (it needs the npm registry once).
 */
export function ensureInstalled(dir, { what, retry }) {
  if (isInstalled(dir)) return;
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const path = fileURLToPath(dir);
  console.error(`Installing ${what} (${path}package.json)...`);
  try {
    // stdout would mix npm's report into a command's own output; the user still sees it on stderr.
    execFileSync(npm, ["ci", "--no-audit", "--no-fund"], {
      cwd: path,
      stdio: ["ignore", process.stderr, "inherit"],
    });
  } catch (error) {
    throw new Error(
      `Could not install ${what} (npm ci needs the npm registry once). Run \`${retry}\` with network access, then retry.`,
      { cause: error },
    );
  }
}
