import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { AppLike } from "../../src/cli/app-like.ts";
import { applyEnv, type Env, loadDotenv } from "../../src/cli/env.ts";
import { CliError } from "../../src/cli/errors.ts";
import { Phial } from "../../src/index.ts";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "phial-cli-env-"));
});
after(() => rm(dir, { recursive: true, force: true }));

test(".env fills what the environment does not set", async () => {
  await writeFile(join(dir, ".env"), 'A=file\nB="quoted value"\nexport C=3\n# comment\n');
  const env: Env = { A: "shell" };
  assert.equal(loadDotenv({ cwd: dir, env }), join(dir, ".env"));
  assert.deepEqual(env, { A: "shell", B: "quoted value", C: "3" });
});

test("a missing ./.env is fine; a missing --env-file is a usage error naming the path", async () => {
  const empty = await mkdtemp(join(dir, "empty-"));
  assert.equal(loadDotenv({ cwd: empty, env: {} }), null);
  assert.throws(
    () => loadDotenv({ cwd: empty, env: {}, file: "prod.env" }),
    (err: unknown) =>
      err instanceof CliError &&
      err.code === "env_file_not_found" &&
      err.exitCode === 2 &&
      err.message.includes(join(empty, "prod.env")),
  );
});

test("applyEnv applies PHIAL_* to the app's config, leaving PHIAL_RUN_* to the CLI", () => {
  const app = new Phial();
  applyEnv(app as unknown as AppLike, {
    PHIAL_DEBUG: "1",
    PHIAL_MAX_CONTENT_LENGTH: "2048",
    PHIAL_SITE_NAME: "Notes",
    PHIAL_RUN_PORT: "8000",
    OTHER: "x",
  });
  assert.equal(app.config.debug, true);
  assert.equal(app.config.maxContentLength, 2048);
  assert.equal(app.config.siteName, "Notes");
  assert.equal(app.config.runPort, undefined);
  assert.equal(app.config.other, undefined);
  assert.throws(
    () => applyEnv(app as unknown as AppLike, { PHIAL_DEBUG: "maybe" }),
    (err: unknown) => err instanceof Error && /PHIAL_DEBUG/.test(err.message),
  );
});

test("an app whose config has no fromEnv (another phial) is refused with what to do", () => {
  const config: Record<string, unknown> = { debug: false };
  assert.throws(
    () => applyEnv({ config } as unknown as AppLike, { PHIAL_DEBUG: "1" }),
    (err: unknown) => err instanceof CliError && err.code === "incompatible_app",
  );
});
