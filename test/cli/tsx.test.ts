import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CliError } from "../../src/cli/errors.ts";
import { registerTsx } from "../../src/cli/tsx.ts";

// Its own file: registration is once per process, and this test needs a process where it failed.
test("without tsx anywhere, loading TypeScript says how to fix it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "phial-cli-notsx-"));
  try {
    await assert.rejects(
      registerTsx([join(dir, "package.json")]),
      (err: unknown) =>
        err instanceof CliError &&
        err.code === "tsx_missing" &&
        err.exitCode === 1 &&
        err.message.includes("npm install -D tsx") &&
        err.message.includes(".js"),
    );
    // A tsx too old for the API phial uses: no esm/cjs api export, or one without register().
    const fake = join(dir, "node_modules", "tsx");
    await mkdir(fake, { recursive: true });
    const manifest = (exports: Record<string, string>) =>
      writeFile(join(fake, "package.json"), JSON.stringify({ name: "tsx", exports }));
    await manifest({ "./package.json": "./package.json" });
    await assert.rejects(
      registerTsx([join(dir, "package.json")]),
      (err: unknown) =>
        err instanceof CliError &&
        err.code === "tsx_unsupported" &&
        /has no "\.\/esm\/api" export; install tsx 4 or later/.test(err.message),
    );
    await writeFile(join(fake, "api.mjs"), "export const version = 3;\n");
    await manifest({
      "./package.json": "./package.json",
      "./esm/api": "./api.mjs",
      "./cjs/api": "./api.mjs",
    });
    await assert.rejects(
      registerTsx([join(dir, "package.json")]),
      (err: unknown) =>
        err instanceof CliError &&
        err.code === "tsx_unsupported" &&
        /tsx's \.\/esm\/api has no register\(\)/.test(err.message),
    );
    await rm(join(dir, "node_modules"), { recursive: true });
    // A failure is not cached: a later call with a place that has tsx succeeds.
    await registerTsx([join(dir, "package.json"), import.meta.url]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
