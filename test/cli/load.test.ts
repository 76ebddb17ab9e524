import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { describeValue, isApp } from "../../src/cli/app-like.ts";
import { CliError } from "../../src/cli/errors.ts";
import { loadApp, resolveModule } from "../../src/cli/load.ts";
import { Phial } from "../../src/index.ts";
import { FIXTURES, PHIAL_URL, ROOT } from "./helpers.ts";

const failsWith = (code: string, pattern: RegExp) => (err: unknown) =>
  err instanceof CliError && err.code === code && pattern.test(err.message);

describe("recognising an app", () => {
  test("by shape, so another copy of phial still counts", () => {
    assert.ok(isApp(new Phial()));
    const lookalike = {
      handler() {},
      listen() {},
      close() {},
      rules() {},
      config: {},
    };
    assert.ok(isApp(lookalike));
    assert.ok(!isApp({ ...lookalike, rules: undefined }));
    assert.ok(!isApp(Phial));
    assert.ok(!isApp(null));
  });

  test("describes values without printing them", () => {
    assert.equal(describeValue(undefined), "undefined");
    assert.equal(describeValue(42), "a number");
    assert.equal(describeValue({}), "an object");
    assert.equal(describeValue(new Map()), "a Map");
    assert.equal(
      describeValue(() => 1),
      "a function",
    );
  });
});

describe("loading a module", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "phial-cli-load-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const load = (file: string) => loadApp(file, { cwd: ROOT, label: file });

  test("resolveModule checks the extension and the file", () => {
    assert.equal(resolveModule(ROOT, "test/cli/fixtures/app.ts"), join(FIXTURES, "app.ts"));
    assert.throws(() => resolveModule(ROOT, "README.md"), failsWith("unsupported_module", /\.ts/));
    assert.throws(() => resolveModule(ROOT, "test"), failsWith("unsupported_module", /test/));
    assert.throws(
      () => resolveModule(ROOT, "test/cli/fixtures/nope.mjs"),
      failsWith("module_not_found", /No such file: .*nope\.mjs/),
    );
  });

  test("a default export that is an app, or a function returning one", async () => {
    const app = await load(join(FIXTURES, "default-app.ts"));
    assert.deepEqual(
      app.rules().map((r) => r.endpoint),
      ["home"],
    );
    const file = join(dir, "default-factory.mjs");
    await writeFile(
      file,
      `import { Phial } from ${JSON.stringify(PHIAL_URL)};\nexport default () => new Phial();\n`,
    );
    assert.ok(isApp(await load(file)));
  });

  test("an `app` export that is not an app, and a throwing createApp()", async () => {
    const notApp = join(dir, "not-app.mjs");
    await writeFile(notApp, "export const app = { listen() {} };\n");
    await assert.rejects(
      load(notApp),
      failsWith("not_an_app", /exports `app`, but it is an object/),
    );
    const throwing = join(dir, "throwing.mjs");
    await writeFile(throwing, "export function createApp() { throw new Error('no db'); }\n");
    await assert.rejects(
      load(throwing),
      failsWith("factory_failed", /createApp\(\) in .* threw: no db/),
    );
    const empty = join(dir, "nothing.mjs");
    await writeFile(empty, "");
    await assert.rejects(load(empty), failsWith("app_not_found", /it exports: nothing\./));
  });

  test("a createApp that is not a function; exports gathered in one default object", async () => {
    const notFactory = join(dir, "not-factory.mjs");
    await writeFile(notFactory, "export const createApp = 42;\n");
    await assert.rejects(
      load(notFactory),
      failsWith("not_an_app", /exports createApp, but it is a number, not a function\./),
    );
    const bundled = join(dir, "bundled.mjs");
    await writeFile(
      bundled,
      `import { Phial } from ${JSON.stringify(PHIAL_URL)};\nexport default { createApp: () => new Phial() };\n`,
    );
    assert.ok(isApp(await load(bundled)));
  });

  test('a .ts file that its package makes CommonJS (no "type": "module")', async () => {
    // The temp dir has no package.json, so tsx compiles this file to CommonJS.
    const file = join(dir, "cjs-app.ts");
    const phial = fileURLToPath(PHIAL_URL);
    await writeFile(
      file,
      `import { Phial } from ${JSON.stringify(phial)};\nexport const app = new Phial();\napp.get("/", function cjs() { return "cjs"; });\n`,
    );
    const app = await load(file);
    assert.deepEqual(
      app.rules().map((r) => r.endpoint),
      ["cjs"],
    );
  });
});
