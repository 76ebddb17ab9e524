import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { killAll, PHIAL_URL, startCli } from "./helpers.ts";

const SERVING = /Serving \S+ on (http:\/\/[\d.]+:\d+) \(Press CTRL\+C to quit\)\n/;

/** A module answering `answer` on `/`, importing phial from this checkout by URL. */
const appSource = (answer: string, extra = ""): string =>
  `import { Phial } from ${JSON.stringify(PHIAL_URL)};
export const app = new Phial();
app.get("/", function index() {
  return ${JSON.stringify(answer)};
});
${extra}`;

async function text(url: string): Promise<string> {
  return (await fetch(url)).text();
}

describe("phial run --reload", { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  after(async () => {
    await killAll();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  test("restarts on an edit, survives a syntax error, ignores non-code files, stops on SIGTERM", async () => {
    const dir = await mkdtemp(join(tmpdir(), "phial-cli-reload-"));
    dirs.push(dir);
    const file = join(dir, "app.ts");
    await writeFile(file, appSource("one"));
    await mkdir(join(dir, "node_modules"));
    const cli = startCli(["run", file, "--port", "0", "--reload"]);
    try {
      const [, first] = await cli.waitFor(SERVING);
      assert.equal(await text(`${first}/`), "one");

      // Noise the reloader must not react to; the edit after it must be the one reported.
      await writeFile(join(dir, "node_modules", "dep.js"), "export {};\n");
      await writeFile(join(dir, ".notes"), "scratch\n");
      await writeFile(join(dir, "server.log"), "written by the app, not code\n");
      await writeFile(file, appSource("two"));
      await cli.waitFor(/Detected change in (\S+), reloading\n/);
      assert.match(cli.output(), new RegExp(`Detected change in ${file}, reloading`));
      assert.doesNotMatch(cli.output(), /Detected change in \S*(node_modules|\.notes|server\.log)/);
      const [, second] = await cli.waitFor(SERVING);
      assert.equal(await text(`${second}/`), "two");

      await writeFile(file, appSource("three", "app.get('/broken', ( => 1);\n"));
      await cli.waitFor(/Error: Importing \S+ failed: /);
      await cli.waitFor(
        /The server exited with code 1; waiting for a file change to restart it\.\n/,
      );
      await writeFile(file, appSource("four"));
      const [, fourth] = await cli.waitFor(SERVING);
      assert.equal(await text(`${fourth}/`), "four");

      cli.child.kill("SIGTERM");
      assert.equal(await cli.exited, 0);
      // The server child went down with the supervisor.
      await assert.rejects(fetch(`${fourth}/`));
    } finally {
      cli.child.kill("SIGKILL");
    }
  });
});
