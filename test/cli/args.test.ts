import assert from "node:assert/strict";
import { test } from "node:test";
import { MAIN_HELP, parseCommand, parsePort, ROUTES_HELP, RUN_HELP } from "../../src/cli/args.ts";
import { UsageError } from "../../src/cli/errors.ts";

const usage = (pattern: RegExp) => (err: unknown) =>
  err instanceof UsageError && err.exitCode === 2 && pattern.test(err.message);

test("no arguments, help and version", () => {
  assert.deepEqual(parseCommand([]), { command: "help", text: MAIN_HELP });
  assert.deepEqual(parseCommand(["-h"]), { command: "help", text: MAIN_HELP });
  assert.deepEqual(parseCommand(["-V"]), { command: "version" });
  assert.deepEqual(parseCommand(["run", "-h"]), { command: "help", text: RUN_HELP });
  assert.deepEqual(parseCommand(["routes", "--help", "--json"]), {
    command: "help",
    text: ROUTES_HELP,
  });
});

test("run leaves host, port and env file undefined when not given", () => {
  assert.deepEqual(parseCommand(["run", "app.ts"]), {
    command: "run",
    module: "app.ts",
    host: undefined,
    port: undefined,
    debug: false,
    reload: false,
    envFile: undefined,
  });
  assert.deepEqual(
    parseCommand([
      "run",
      "--reload",
      "app.ts",
      "--host",
      "0.0.0.0",
      "-p",
      "0",
      "--debug",
      "-e",
      "x.env",
    ]),
    {
      command: "run",
      module: "app.ts",
      host: "0.0.0.0",
      port: 0,
      debug: true,
      reload: true,
      envFile: "x.env",
    },
  );
  assert.equal((parseCommand(["run", "app.ts", "--port=8080"]) as { port: number }).port, 8080);
});

test("routes options and their defaults", () => {
  assert.deepEqual(parseCommand(["routes", "app.ts"]), {
    command: "routes",
    module: "app.ts",
    sort: "endpoint",
    allMethods: false,
    json: false,
    debug: false,
    envFile: undefined,
  });
  const parsed = parseCommand(["routes", "app.ts", "--sort", "match", "--all-methods", "--json"]);
  assert.equal((parsed as { sort: string }).sort, "match");
});

test("usage errors say what is wrong and where the help is", () => {
  assert.throws(
    () => parseCommand(["--nope"]),
    usage(/^Unknown option --nope\. Run 'phial --help'/),
  );
  assert.throws(
    () => parseCommand(["routes", "a.ts", "b.ts"]),
    usage(/Unexpected argument 'b\.ts'/),
  );
  assert.throws(
    () => parseCommand(["run", "a.ts", "--debug=yes"]),
    usage(/--debug takes no value/),
  );
  assert.throws(
    () => parseCommand(["run", "a.ts", "--port", "--debug"]),
    usage(/--port needs a value/),
  );
  assert.throws(() => parseCommand(["run", "a.ts", "--host", " "]), usage(/--host needs a host/));
});

test("ports are whole numbers from 0 to 65535", () => {
  assert.equal(parsePort("0", "--port"), 0);
  assert.equal(parsePort("65535", "--port"), 65535);
  for (const bad of ["-1", "65536", "1.5", "1e3", "", "0x10", "80 80"]) {
    assert.throws(() => parsePort(bad, "PHIAL_RUN_PORT"), usage(/^PHIAL_RUN_PORT must be/), bad);
  }
});
