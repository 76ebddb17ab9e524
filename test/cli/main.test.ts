import assert from "node:assert/strict";
import { test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { ROOT } from "./helpers.ts";

// main() is also a function, for tools and cheap tests; the command line itself is tested
// through real processes in routes.test.ts, run.test.ts and reload.test.ts.
function capture() {
  let text = "";
  return { write: (s: string) => (text += s), text: () => text };
}

test("main() runs routes in-process with its own cwd, env and streams", async () => {
  const stdout = capture();
  const stderr = capture();
  const code = await main(["routes", "test/cli/fixtures/factory.ts", "--json"], {
    cwd: ROOT,
    env: {},
    stdout,
    stderr,
  });
  assert.equal(stderr.text(), "");
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout.text()), [
    { endpoint: "made", methods: ["GET"], rule: "/made", blueprint: null },
  ]);
});

test("main() serves until its signal aborts, then resolves to 0", async () => {
  const stdout = capture();
  const stop = new AbortController();
  const running = main(["run", "test/cli/fixtures/async-factory.ts", "--port", "0"], {
    cwd: ROOT,
    env: { PHIAL_RUN_HOST: "127.0.0.1" },
    stdout,
    stderr: capture(),
    signal: stop.signal,
  });
  let url: string | undefined;
  while (url === undefined) {
    await new Promise((resolve) => setImmediate(resolve));
    url = /http:\/\/\S+/.exec(stdout.text())?.[0];
  }
  const res = await fetch(`${url}/later`);
  assert.equal(await res.text(), "made by an async createApp");
  stop.abort();
  assert.equal(await running, 0);
});

test("main() turns errors into a line and an exit code", async () => {
  const stderr = capture();
  assert.equal(await main(["routes", "missing.ts"], { cwd: ROOT, stderr }), 2);
  assert.match(stderr.text(), /^Error: No such file: .*missing\.ts\./);
});
