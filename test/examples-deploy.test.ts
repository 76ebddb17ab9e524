/**
 * docs/deploying.md's process recipes, run as real processes: examples/deploy/server.ts
 * restarted under the same, another and a rotated secret key, with a SQLite session store, and
 * examples/deploy/cluster.ts with two workers, each stopped with SIGTERM.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Cli, killAll, ROOT, startScript } from "./cli/helpers.ts";

const SERVER = join(ROOT, "examples/deploy/server.ts");
const CLUSTER = join(ROOT, "examples/deploy/cluster.ts");
const KEY = "first key: 32 random bytes in real life, from a secret store";
const NEW_KEY = "second key, after a rotation";

interface Answer {
  status: number;
  cookie: string | undefined;
  body: string;
}

/** One request on its own connection (so a cluster may hand it to any worker). */
function ask(port: number, path: string, options: { form?: string; cookie?: string } = {}) {
  const headers: Record<string, string> = { host: "localhost" };
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.form !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.form === undefined ? "GET" : "POST",
        headers,
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => {
          const line = res.headers["set-cookie"]?.[0];
          resolve({ status: res.statusCode ?? 0, cookie: line?.slice(0, line.indexOf(";")), body });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.form);
  });
}

async function me(port: number, cookie: string): Promise<{ user: string | null; pid: number }> {
  const res = await ask(port, "/me", { cookie });
  assert.equal(res.status, 200, res.body);
  return JSON.parse(res.body);
}

async function login(port: number, user: string): Promise<string> {
  const res = await ask(port, "/login", { form: `user=${user}` });
  assert.equal(res.status, 303, res.body);
  assert.ok(res.cookie, "login sets the session cookie");
  return res.cookie;
}

/** Starts server.ts on a free port and resolves once it listens. */
async function serve(env: Record<string, string>): Promise<{ cli: Cli; port: number }> {
  const cli = startScript(SERVER, [], {
    env: { PORT: "0", PHIAL_TRUSTED_HOSTS: "localhost", PHIAL_LOG_LEVEL: "warn", ...env },
  });
  const [, port] = await Promise.race([
    cli.waitFor(/serving on http:\/\/127\.0\.0\.1:(\d+)\n/),
    cli.exited.then((code) => {
      throw new Error(`server.ts exited (${code}) before listening:\n${cli.output()}`);
    }),
  ]);
  return { cli, port: Number(port) };
}

/** SIGTERM, then the process must close gracefully and exit 0 by itself. */
async function stop(cli: Cli): Promise<void> {
  cli.child.kill("SIGTERM");
  assert.equal(await cli.exited, 0, cli.output());
  assert.match(cli.stdout(), /closed on SIGTERM\n/);
}

describe("examples/deploy/server.ts: sessions across restarts", { timeout: 60_000 }, () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "phial-deploy-"));
  });
  after(async () => {
    await killAll();
    await rm(dir, { recursive: true, force: true });
  });

  test("it refuses to start without a secret key", async () => {
    const cli = startScript(SERVER, [], { env: { PORT: "0" } });
    assert.equal(await cli.exited, 1);
    assert.match(cli.stderr(), /Set PHIAL_SECRET_KEY \(or SECRET_KEY_FILE\)/);
  });

  test("a signed cookie outlives the process when the key stays; another key refuses it", async () => {
    const first = await serve({ PHIAL_SECRET_KEY: KEY });
    const cookie = await login(first.port, "ada");
    await stop(first.cli);

    const same = await serve({ PHIAL_SECRET_KEY: KEY });
    assert.equal((await me(same.port, cookie)).user, "ada", "same key: still logged in");
    await stop(same.cli);

    const other = await serve({ PHIAL_SECRET_KEY: NEW_KEY });
    assert.equal((await me(other.port, cookie)).user, null, "another key: logged out");
    await stop(other.cli);
  });

  test("the key can come from a file (SECRET_KEY_FILE), as systemd's LoadCredential gives it", async () => {
    const file = join(dir, "secret_key");
    await writeFile(file, `${KEY}\n`);
    const fromFile = await serve({ SECRET_KEY_FILE: file });
    const cookie = await login(fromFile.port, "ada");
    await stop(fromFile.cli);
    const fromEnv = await serve({ PHIAL_SECRET_KEY: KEY });
    assert.equal(
      (await me(fromEnv.port, cookie)).user,
      "ada",
      "the same key, trailing newline cut",
    );
    await stop(fromEnv.cli);
  });

  test("as a cluster worker (how pm2 runs it), it still exits after closing", {
    timeout: 15_000,
  }, async (t) => {
    // A primary that forks server.ts once, passes its SIGINT on, and prints how the worker ended.
    const primary = `
      import cluster from "node:cluster";
      cluster.setupPrimary({ exec: ${JSON.stringify(SERVER)}, execArgv: ["--import", "tsx"] });
      const worker = cluster.fork();
      worker.on("exit", (code, signal) => console.log("worker exit", code, signal));
      process.on("SIGINT", () => worker.process.kill("SIGINT"));
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", primary], {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", PHIAL_SECRET_KEY: KEY, PHIAL_TRUSTED_HOSTS: "localhost" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Runs even when the test times out; killing the primary takes its worker along.
    t.after(() => child.kill("SIGKILL"));
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      out += text;
    });
    const exited = once(child, "exit");
    while (!/serving on/.test(out)) await once(child.stdout, "data");
    child.kill("SIGINT");
    await exited;
    assert.match(out, /closed on SIGINT\n/);
    assert.match(out, /worker exit 0 null\n/, "the worker ended by itself, not by a kill");
  });

  test("rotating the key through secretKeyFallbacks keeps everyone logged in", async () => {
    const first = await serve({ PHIAL_SECRET_KEY: KEY });
    const oldCookie = await login(first.port, "grace");
    await stop(first.cli);

    const rotated = await serve({
      PHIAL_SECRET_KEY: NEW_KEY,
      PHIAL_SECRET_KEY_FALLBACKS: JSON.stringify([KEY]),
    });
    // A permanent session's cookie is sent again on each request, signed with the new key.
    const res = await ask(rotated.port, "/me", { cookie: oldCookie });
    assert.equal(JSON.parse(res.body).user, "grace");
    assert.ok(res.cookie && res.cookie !== oldCookie, "re-signed with the new key");
    await stop(rotated.cli);

    const done = await serve({ PHIAL_SECRET_KEY: NEW_KEY });
    assert.equal((await me(done.port, res.cookie)).user, "grace", "the re-signed cookie works");
    assert.equal((await me(done.port, oldCookie)).user, null, "the old key is gone for good");
    await stop(done.cli);
  });

  test("a SQLite session store survives restarts, and logging out ends the session", async () => {
    const env = { SESSION_DB: join(dir, "sessions.sqlite") };
    const first = await serve(env);
    const cookie = await login(first.port, "ada");
    assert.doesNotMatch(cookie, /ada|eyJ/, "the cookie holds an id, not the data");
    await stop(first.cli);

    const second = await serve(env);
    assert.equal((await me(second.port, cookie)).user, "ada");
    const out = await ask(second.port, "/logout", { form: "", cookie });
    assert.equal(out.status, 303);
    assert.equal((await me(second.port, cookie)).user, null, "the row is gone");
    await stop(second.cli);
  });
});

describe("examples/deploy/cluster.ts", { timeout: 60_000 }, () => {
  after(killAll);

  test("two workers share the port and the sessions; SIGTERM closes both and the primary exits", async () => {
    const cli = startScript(CLUSTER, [], {
      env: {
        PORT: "0",
        WORKERS: "2",
        PHIAL_SECRET_KEY: KEY,
        PHIAL_TRUSTED_HOSTS: "localhost",
        PHIAL_LOG_LEVEL: "warn",
      },
    });
    const [, firstPid, port] = await cli.waitFor(/worker (\d+) serving on http:\/\/[\d.]+:(\d+)\n/);
    const [, secondPid, samePort] = await cli.waitFor(
      /worker (\d+) serving on http:\/\/[\d.]+:(\d+)\n/,
    );
    assert.equal(samePort, port, "listen(0) in every worker gives them one port");
    const workers = new Set([Number(firstPid), Number(secondPid)]);
    assert.equal(workers.size, 2);

    // Connections are handed to the workers in turn, so a few requests reach both.
    const cookie = await login(Number(port), "ada");
    const answered = new Set<number>();
    for (let i = 0; i < 10 && answered.size < 2; i++) {
      const seen = await me(Number(port), cookie);
      assert.equal(seen.user, "ada", "every worker accepts every worker's cookie");
      answered.add(seen.pid);
    }
    assert.deepEqual(answered, workers);

    cli.child.kill("SIGTERM");
    assert.equal(await cli.exited, 0, cli.output());
    for (const pid of workers) {
      assert.match(cli.stdout(), new RegExp(`worker ${pid} closed\\n`));
      assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, `worker ${pid} has exited`);
    }
  });
});
