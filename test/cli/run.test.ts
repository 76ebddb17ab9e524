import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fixture, killAll, PHIAL_URL, relFixture, runCli, startCli } from "./helpers.ts";

const SERVING = /Serving (\S+) on (http:\/\/[\d.]+:(\d+)) \(Press CTRL\+C to quit\)\n/;

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  return res.json();
}

describe("phial run", { concurrency: true, timeout: 120_000 }, () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "phial-cli-run-"));
  });
  after(async () => {
    await killAll();
    await rm(dir, { recursive: true, force: true });
  });

  test("serves a TypeScript module with a decorator and stops cleanly on SIGTERM", async () => {
    const cli = startCli(["run", relFixture("app.ts"), "--port", "0"]);
    try {
      const [, label, url, port] = await cli.waitFor(SERVING);
      assert.equal(label, relFixture("app.ts"));
      assert.notEqual(port, "0", "the real port, not the one asked for");
      assert.deepEqual(await getJson(`${url}/admin/stats`), { ok: true });
      const home = await fetch(`${url}/`);
      assert.equal(await home.text(), "hello from the fixture");
      assert.deepEqual(await getJson(`${url}/debug`), { debug: false });
      cli.child.kill("SIGTERM");
      assert.equal(await cli.exited, 0);
      assert.equal(cli.stderr(), "");
      await assert.rejects(fetch(`${url}/`), "the port is closed");
    } finally {
      cli.child.kill("SIGKILL");
    }
  });

  test("a second SIGTERM stops at once, cutting open requests, and exits 1", async () => {
    const file = join(dir, "hang.ts");
    await writeFile(
      file,
      `import { Phial } from ${JSON.stringify(PHIAL_URL)};
export const app = new Phial();
app.get("/hang", () => {
  process.stdout.write("entered\\n");
  return new Promise(() => {});
});
`,
    );
    const cli = startCli(["run", file, "--port", "0"]);
    try {
      const [, , url, port] = await cli.waitFor(SERVING);
      const hung = fetch(`${url}/hang`).then(
        () => "answered",
        () => "cut",
      );
      await cli.waitFor(/entered\n/);
      cli.child.kill("SIGTERM");
      // The first SIGTERM has been handled once the port refuses connections.
      for (let refused = false; !refused; ) {
        refused = await new Promise<boolean>((resolve) => {
          const socket = connect(Number(port), "127.0.0.1");
          socket.once("connect", () => {
            socket.destroy();
            setTimeout(() => resolve(false), 50);
          });
          socket.once("error", () => resolve(true));
        });
      }
      cli.child.kill("SIGTERM");
      assert.equal(await cli.exited, 1);
      assert.equal(cli.stderr(), "Stopped without waiting for open requests.\n");
      assert.equal(await hung, "cut");
    } finally {
      cli.child.kill("SIGKILL");
    }
  });

  test("reads .env (the environment wins), PHIAL_RUN_PORT and PHIAL_DEBUG", async () => {
    await writeFile(
      join(dir, ".env"),
      "# the CLI reads this before loading the module\nPHIAL_RUN_PORT=0\nPHIAL_DEBUG=1\nGREETING=from-file\nFAREWELL='also from file'\n",
    );
    // cwd is the temp dir (for its .env); the module stays in the repository.
    const cli = startCli(["run", fixture("app.ts")], {
      cwd: dir,
      env: { GREETING: "from-environment" },
    });
    try {
      const [, , url] = await cli.waitFor(SERVING);
      assert.deepEqual(await getJson(`${url}/debug`), { debug: true });
      assert.deepEqual(await getJson(`${url}/env/GREETING`), { value: "from-environment" });
      assert.deepEqual(await getJson(`${url}/env/FAREWELL`), { value: "also from file" });
      cli.child.kill("SIGINT");
      assert.equal(await cli.exited, 0);
    } finally {
      cli.child.kill("SIGKILL");
    }
  });

  test("--env-file names another file; --debug and --port win over the environment", async () => {
    const file = join(dir, "custom.env");
    await writeFile(file, "PHIAL_RUN_PORT=1\nCUSTOM=yes\n");
    const cli = startCli(["run", relFixture("app.ts"), "--env-file", file, "-p", "0", "--debug"], {
      env: { PHIAL_DEBUG: "0" },
    });
    try {
      const [, , url] = await cli.waitFor(SERVING);
      assert.deepEqual(await getJson(`${url}/env/CUSTOM`), { value: "yes" });
      assert.deepEqual(await getJson(`${url}/debug`), { debug: true });
    } finally {
      cli.child.kill("SIGKILL");
    }
  });

  test("a port in use is a clear failure", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    try {
      const { code, stdout, stderr } = await runCli([
        "run",
        relFixture("app.ts"),
        "--port",
        String(port),
      ]);
      assert.equal(code, 1);
      assert.equal(stdout, "");
      assert.match(
        stderr,
        new RegExp(
          `^Error: Port ${port} on 127\\.0\\.0\\.1 is in use by another program; .*--port \\d+\\.\\n$`,
        ),
      );
    } finally {
      blocker.close();
    }
  });

  test("a host that is not an address of this machine is a clear failure", async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): documentation only, never a local interface.
    const { code, stdout, stderr } = await runCli([
      "run",
      relFixture("app.ts"),
      "--host",
      "192.0.2.1",
      "--port",
      "0",
    ]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^Error: Cannot listen on host 192\.0\.2\.1: no such interface or address on this machine; try --host 127\.0\.0\.1 or --host 0\.0\.0\.0\.\n$/,
    );
  });

  test("a module that listens on import is told to leave that to phial run", async () => {
    const { code, stderr } = await runCli(["run", relFixture("listens.ts"), "--port", "0"]);
    assert.equal(code, 1, "and the process exits although the module's server is open");
    assert.match(
      stderr,
      /^Error: \S+listens\.ts already started the server: it calls app\.listen\(\)/,
    );
  });

  test("usage errors exit 2 with one line and the help hint", async () => {
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [
        ["run", relFixture("app.ts"), "--port", "65536"],
        /--port must be a whole number from 0 to 65535, got '65536'\. Run 'phial run --help' for usage\./,
      ],
      [["run", relFixture("app.ts"), "--port", "http"], /--port must be a whole number/],
      [
        ["run", relFixture("app.ts")],
        /PHIAL_RUN_PORT must be a whole number from 0 to 65535, got 'x'/,
        { PHIAL_RUN_PORT: "x" },
      ],
      [["run"], /Missing <module>: pass the file that creates your app, as in 'phial run app\.ts'/],
      [
        ["run", relFixture("app.ts"), "--verbose"],
        /Unknown option --verbose for 'phial run'\. Run 'phial run --help' for usage\./,
      ],
      [
        ["serve", "app.ts"],
        /Unknown command 'serve'; the commands are run and routes\. Run 'phial --help' for usage\./,
      ],
      [
        // -e rather than --env-file: node itself checks a --env-file anywhere on its command
        // line, script arguments included, and exits 9 before phial runs (test below).
        ["run", relFixture("app.ts"), "-e", "missing.env"],
        /The env file .*missing\.env does not exist/,
      ],
      [
        ["routes", relFixture("app.ts"), "--sort", "size"],
        /--sort must be one of endpoint, methods, rule, match; got 'size'/,
      ],
    ];
    const results = await Promise.all(
      cases.map(([args, , env]) => runCli(args, { env: env ?? {} })),
    );
    results.forEach((result, i) => {
      const [args, pattern] = cases[i] ?? [[], /$/];
      assert.equal(result.code, 2, args.join(" "));
      assert.equal(result.stdout, "");
      assert.match(result.stderr, pattern);
      assert.match(result.stderr, /^Error: [^\n]+\n$/, "exactly one line, no stack");
    });
  });

  test("--help, run --help, routes --help and --version", async () => {
    const [main, run, routes, version] = await Promise.all([
      runCli(["--help"]),
      runCli(["run", "--help"]),
      runCli(["routes", "-h"]),
      runCli(["--version"]),
    ]);
    assert.equal(main.code, 0);
    assert.match(main.stdout, /^Usage: phial <command> \[options\]/);
    assert.match(main.stdout, /run <module>/);
    assert.match(main.stdout, /routes <module>/);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: phial run <module> \[options\]/);
    assert.match(run.stdout, /--reload/);
    assert.match(run.stdout, /PHIAL_RUN_PORT/);
    assert.equal(routes.code, 0);
    assert.match(routes.stdout, /--all-methods/);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^phial 0\.1\.0 /);
  });
});
