// Installs tools/docs' own dependencies (TypeDoc and the TypeScript 6 it needs) when they are
// missing or older than tools/docs/package-lock.json. They cannot live in the root package: the
// root uses TypeScript 7, which TypeDoc does not accept as a peer.
import { fileURLToPath } from "node:url";
import { ensureInstalled as ensure } from "../ensure-installed.mjs";

/** Installs TypeDoc into tools/docs/node_modules unless it is there. Throws when npm fails. */
export function ensureInstalled() {
  ensure(new URL(".", import.meta.url), {
    what: "the API docs tools",
    retry: "npm run docs:setup",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureInstalled();
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
