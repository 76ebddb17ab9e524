import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
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
    // A failure is not cached: a later call with a place that has tsx succeeds.
    await registerTsx([join(dir, "package.json"), import.meta.url]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
