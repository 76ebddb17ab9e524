// Installs tools/docs' own dependencies (TypeDoc and the TypeScript 6 it needs) when they are
// missing or older than tools/docs/package-lock.json. They cannot live in the root package: the
// root uses TypeScript 7, which TypeDoc does not accept as a peer. Cheap when nothing changed (it
// reads two JSON files), so every docs command and the docs test run it first.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = new URL(".", import.meta.url);

function packages(url) {
  return existsSync(url) ? JSON.parse(readFileSync(url, "utf8")).packages : null;
}

/** True when tools/docs/node_modules holds every package at the version the lock file pins. */
export function installed() {
  const wanted = packages(new URL("package-lock.json", here)) ?? {};
  // npm keeps a copy of the tree it installed in node_modules; equal versions mean up to date.
  const have = packages(new URL("node_modules/.package-lock.json", here)) ?? {};
  return Object.keys(wanted).every((k) => k === "" || wanted[k]?.version === have[k]?.version);
}

/** Runs `npm ci` in tools/docs unless it is already up to date. Throws when npm fails. */
export function ensureInstalled() {
  if (installed()) return;
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  console.error("Installing the API docs tools (tools/docs/package.json)...");
  try {
    // stdout would mix npm's report into a check's output; the user still sees it on stderr.
    execFileSync(npm, ["ci", "--no-audit", "--no-fund"], {
      cwd: fileURLToPath(here),
      stdio: ["ignore", process.stderr, "inherit"],
    });
  } catch (error) {
    throw new Error(
      "Could not install tools/docs' dependencies (npm ci needs the npm registry once). " +
        "Run `npm run docs:setup` with network access, then retry.",
      { cause: error },
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureInstalled();
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
