/**
 * `npm run docs:check`: TypeDoc over the public entry points fails on an export with no doc
 * comment or no example, and on a broken link. Run here against a fixture that breaks each rule
 * once, then against the real entry points, which must pass.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { before, describe, test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const FIXTURE = "test/fixtures/docs/entry.ts";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function check(...entries: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["tools/docs/docs.mjs", "check", ...entries],
      { maxBuffer: 1 << 24 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** The 1-based line of the fixture that contains `text`, so expectations name real positions. */
function lineOf(text: string): number {
  const index = readFileSync(FIXTURE, "utf8")
    .split("\n")
    .findIndex((l) => l.includes(text));
  assert.notEqual(index, -1, `the fixture has no line with ${text}`);
  return index + 1;
}

describe("npm run docs:check", () => {
  before(async () => {
    // Installs TypeDoc into tools/docs/node_modules when missing; a no-op once it is there.
    try {
      await run(process.execPath, ["tools/docs/setup.mjs"]);
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      assert.fail(
        `TypeDoc is not installed and could not be (run \`npm run docs:setup\`):\n${stderr}`,
      );
    }
  });

  test("names each export of the fixture that breaks a rule, with its file and line", async () => {
    const { code, stderr } = await check(FIXTURE);
    assert.equal(code, 1, stderr);
    const at = (text: string) => `(${FIXTURE}:${lineOf(text)})`;
    const expected = [
      `undocumentedFunction ${at("export function undocumentedFunction")}: no doc comment`,
      `undocumentedFunction ${at("export function undocumentedFunction")}: no @example`,
      `missingExample ${at("export const missingExample")}: no @example`,
      `Complete.undocumentedMember ${at("undocumentedMember(): void")}: no doc comment`,
      `brokenLink ${at("export function brokenLink")}: {@link NoSuchThing} does not resolve`,
      `linksOutside ${at("export function linksOutside")}: {@link notExported} points outside the reference (not exported)`,
    ];
    const reported = stderr
      .split("\n")
      .slice(1)
      .map((l) => l.trim())
      .filter((l) => l !== "");
    assert.deepEqual(reported.sort(), expected.sort(), stderr);
    assert.match(
      stderr,
      /^API docs check failed: 6 problem\(s\) in test\/fixtures\/docs\/entry\.ts$/m,
    );
  });

  test("passes on the package's own entry points", async () => {
    const { code, stdout, stderr } = await check();
    assert.equal(code, 0, stderr);
    assert.match(stdout, /docs:check passed: \d+ exports of src\/index\.ts, src\/testing\.ts/);
  });
});
