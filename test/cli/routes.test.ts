import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { killAll, ROOT, relFixture, runCli } from "./helpers.ts";

// Each test starts `phial routes` as a user would, in its own process; they run concurrently
// because most of their time is node and tsx starting up.
describe("phial routes", { concurrency: true, timeout: 120_000 }, () => {
  after(killAll);

  test("prints an aligned table sorted by endpoint, without HEAD and OPTIONS", async () => {
    const { code, stdout, stderr } = await runCli(["routes", relFixture("app.ts")]);
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.equal(
      stdout,
      [
        "Endpoint    Methods      Rule",
        "----------  -----------  ---------------",
        "createUser  POST         /users",
        "index       GET          /",
        "readEnv     GET          /env/<name>",
        "showDebug   GET          /debug",
        "stats       GET          /admin/stats",
        "user        DELETE, PUT  /users/<int:id>",
        "",
      ].join("\n"),
    );
  });

  test("--sort rule, --sort methods and --sort match (registration order)", async () => {
    const endpoints = async (sort: string): Promise<string[]> => {
      const { code, stdout } = await runCli(["routes", relFixture("app.ts"), "--sort", sort]);
      assert.equal(code, 0);
      return stdout
        .trim()
        .split("\n")
        .slice(2)
        .map((line) => line.split(" ")[0] ?? "");
    };
    const [rule, methods, match] = await Promise.all([
      endpoints("rule"),
      endpoints("methods"),
      endpoints("match"),
    ]);
    assert.deepEqual(rule, ["index", "stats", "showDebug", "readEnv", "createUser", "user"]);
    // Ties keep registration order.
    assert.deepEqual(methods, ["user", "index", "readEnv", "showDebug", "stats", "createUser"]);
    assert.deepEqual(match, ["index", "user", "createUser", "readEnv", "showDebug", "stats"]);
  });

  test("--all-methods shows the HEAD that GET implies and OPTIONS on every rule", async () => {
    const { code, stdout } = await runCli([
      "routes",
      relFixture("app.ts"),
      "--all-methods",
      "--sort",
      "match",
    ]);
    assert.equal(code, 0);
    const lines = stdout.split("\n");
    assert.equal(lines[2], "index       GET, HEAD, OPTIONS    /");
    assert.equal(lines[3], "user        DELETE, OPTIONS, PUT  /users/<int:id>");
    assert.equal(lines[4], "createUser  OPTIONS, POST         /users");
  });

  test("--json prints the rows as data", async () => {
    const { code, stdout } = await runCli(["routes", relFixture("app.ts"), "--json"]);
    assert.equal(code, 0);
    const rows = JSON.parse(stdout) as unknown[];
    assert.equal(rows.length, 6);
    assert.deepEqual(rows[0], {
      endpoint: "createUser",
      methods: ["POST"],
      rule: "/users",
      blueprint: null,
    });
  });

  test("an app without routes says so", async () => {
    const { code, stdout } = await runCli(["routes", relFixture("empty.ts")]);
    assert.equal(code, 0);
    assert.equal(stdout, "No routes were registered.\n");
  });

  test("createApp(), sync or async, builds the app", async () => {
    const [sync, later] = await Promise.all([
      runCli(["routes", relFixture("factory.ts")]),
      runCli(["routes", relFixture("async-factory.ts")]),
    ]);
    assert.equal(sync.code, 0, sync.stderr);
    assert.match(sync.stdout, /^made\s+GET\s+\/made$/m);
    assert.equal(later.code, 0, later.stderr);
    assert.match(later.stdout, /^later\s+GET\s+\/later$/m);
  });

  test("a module without an app names what it does export", async () => {
    const { code, stdout, stderr } = await runCli(["routes", relFixture("no-app.ts")]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      "Error: test/cli/fixtures/no-app.ts exports neither `app` nor `createApp()`; it exports: a, b. Export your Phial instance as `app` or a factory as `createApp`.\n",
    );
  });

  test("createApp() returning something else is reported", async () => {
    const { code, stderr } = await runCli(["routes", relFixture("bad-factory.ts")]);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^Error: createApp\(\) in .*bad-factory\.ts returned a number, not a phial app/,
    );
  });

  test("a missing file names the resolved path and is a usage error", async () => {
    const { code, stderr } = await runCli(["routes", "nowhere/app.ts"]);
    assert.equal(code, 2);
    assert.equal(stderr.split("\n").length, 2, "one line");
    assert.ok(stderr.includes(`No such file: ${ROOT}nowhere/app.ts.`), stderr);
  });

  test("a module that throws shows its message, and its stack only with --debug", async () => {
    const [plain, debug] = await Promise.all([
      runCli(["routes", relFixture("throws.ts")]),
      runCli(["routes", relFixture("throws.ts"), "--debug"]),
    ]);
    assert.equal(plain.code, 1);
    assert.equal(
      plain.stderr,
      "Error: Importing test/cli/fixtures/throws.ts failed: database is not configured (--debug shows the stack)\n",
    );
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /\n {4}at .*throws\.ts:1/);
  });
});
