import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { AppLike } from "../../src/cli/app-like.ts";
import { applyEnv, type Env, envFlag, loadDotenv } from "../../src/cli/env.ts";
import { CliError, UsageError } from "../../src/cli/errors.ts";
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

test("envFlag reads FLASK_DEBUG-style booleans and refuses anything else", () => {
  assert.equal(envFlag({}, "X"), undefined);
  assert.equal(envFlag({ X: "TRUE" }, "X"), true);
  assert.equal(envFlag({ X: " 1 " }, "X"), true);
  assert.equal(envFlag({ X: "0" }, "X"), false);
  assert.equal(envFlag({ X: "" }, "X"), false);
  assert.throws(() => envFlag({ X: "maybe" }, "X"), UsageError);
});

test("applyEnv sets debug from PHIAL_DEBUG until config.fromEnv exists", () => {
  const app = new Phial() as unknown as AppLike;
  applyEnv(app, { PHIAL_DEBUG: "1" });
  assert.equal(app.config.debug, true);
  applyEnv(app, { PHIAL_DEBUG: "false" });
  assert.equal(app.config.debug, false);
  applyEnv(app, {});
  assert.equal(app.config.debug, false);
});

test("applyEnv hands over to config.fromEnv('PHIAL_') when the config has it", () => {
  const calls: unknown[] = [];
  const config: Record<string, unknown> = {
    debug: false,
    fromEnv(this: unknown, prefix: string) {
      calls.push([this, prefix]);
    },
  };
  applyEnv({ config } as unknown as AppLike, { PHIAL_DEBUG: "1" });
  assert.deepEqual(calls, [[config, "PHIAL_"]]);
  assert.equal(config.debug, false, "fromEnv owns PHIAL_DEBUG then");
});
