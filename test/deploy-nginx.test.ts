/**
 * docs/deploying.md's nginx recipe, run for real: examples/deploy/nginx/phial.conf (its ports,
 * certificate and host name swapped for test ones) in front of examples/deploy/app.ts. Needs
 * nginx (Debian: `apt-get install nginx`; elsewhere set NGINX_PATH). nginx runs as this user,
 * from a temporary prefix, in the foreground, and is stopped after the file.
 *
 * The client is told to connect from 127.0.0.5 or 127.0.0.7, addresses of the loopback network
 * that nobody trusts, so the test can tell the client from nginx (127.0.0.1). Linux routes the
 * whole 127.0.0.0/8 to the loopback interface.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createApp } from "../examples/deploy/app.ts";
import type { Phial } from "../src/index.ts";

const ROOT = join(import.meta.dirname, "..");
const SITE = join(ROOT, "examples", "deploy", "nginx", "phial.conf");
const CERT = join(import.meta.dirname, "fixtures", "tls", "localhost.crt");
const KEY = join(import.meta.dirname, "fixtures", "tls", "localhost.key");
const CA = readFileSync(CERT);

/** NGINX_PATH, else nginx on the PATH or in the sbin directories Debian installs it to. */
function findNginx(): string | undefined {
  if (process.env.NGINX_PATH) return process.env.NGINX_PATH;
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"];
  return dirs
    .filter((dir) => dir !== "")
    .map((dir) => join(dir, "nginx"))
    .find((file) => existsSync(file));
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Ask {
  port: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client's own address. */
  from?: string;
  tls?: boolean;
}

/** One request on a fresh connection. */
function ask(options: Ask): Promise<Answer> {
  const common = {
    host: "127.0.0.1",
    port: options.port,
    path: options.path,
    method: options.method ?? "GET",
    headers: options.headers ?? {},
    localAddress: options.from ?? "127.0.0.5",
    agent: false as const,
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on("error", reject);
    };
    const req = options.tls
      ? https.request({ ...common, ca: CA, servername: "localhost" }, onResponse)
      : http.request(common, onResponse);
    req.on("error", reject);
    req.end(options.body);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Resolves once something accepts connections on the port, or rejects when `child` exits. */
async function accepting(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code) => reject(new Error(`nginx exited with ${code}:\n${log()}`)));
  });
  for (;;) {
    const open = new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (await Promise.race([open, exited])) return;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), exited]);
  }
}

/** The site config with the test's ports, certificate and host name; each swap must apply. */
function siteForTest(appPort: number, httpPort: number, httpsPort: number): string {
  let text = readFileSync(SITE, "utf8");
  const swaps: [RegExp, string][] = [
    [/\/etc\/letsencrypt\/live\/example\.com\/fullchain\.pem/g, CERT],
    [/\/etc\/letsencrypt\/live\/example\.com\/privkey\.pem/g, KEY],
    [/server 127\.0\.0\.1:8000;/g, `server 127.0.0.1:${appPort};`],
    [/listen 80\b/g, `listen 127.0.0.1:${httpPort}`],
    [/listen 443\b/g, `listen 127.0.0.1:${httpsPort}`],
    [/example\.com/g, "localhost"],
  ];
  for (const [pattern, replacement] of swaps) {
    assert.match(text, pattern, `${SITE} no longer has ${pattern}; update this test`);
    text = text.replace(pattern, replacement);
  }
  return text;
}

describe("behind nginx (docs/deploying.md)", () => {
  const nginx = findNginx();
  let app: Phial;
  let dir = "";
  let child: ChildProcess | undefined;
  let stderr = "";
  let appPort = 0;
  let httpPort = 0;
  let httpsPort = 0;

  before(async () => {
    assert.ok(
      nginx !== undefined && existsSync(nginx),
      `nginx is needed for this test: apt-get install nginx (or set NGINX_PATH). Looked for ${nginx ?? "nginx on the PATH and in /usr/sbin"}.`,
    );
    app = createApp({
      PHIAL_SECRET_KEY: "a test key, long enough to look like the real thing",
      PHIAL_TRUSTED_HOSTS: "localhost",
      PHIAL_LOG_LEVEL: "warn",
    });
    await app.listen({ port: 0 });
    appPort = app.address()?.port ?? 0;
    [httpPort, httpsPort] = [await freePort(), await freePort()];

    dir = await mkdtemp(join(tmpdir(), "phial-nginx-"));
    // nginx started as root serves from worker processes running as nobody: they must reach
    // the prefix to write their temporary files.
    await chmod(dir, 0o755);
    await writeFile(join(dir, "phial.conf"), siteForTest(appPort, httpPort, httpsPort));
    await writeFile(
      join(dir, "nginx.conf"),
      `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/phial.conf;
}
`,
    );
    child = spawn(nginx as string, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", "stderr"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await accepting(httpsPort, child, () => stderr);
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await app?.close({ timeout: 100 });
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  test("the app sees the client's address, https and the public host, whatever the client claims", async () => {
    const res = await ask({
      port: httpsPort,
      tls: true,
      path: "/whoami",
      headers: {
        host: `localhost:${httpsPort}`,
        "x-forwarded-for": "203.0.113.9",
        "x-forwarded-proto": "http",
        "x-forwarded-host": "evil.example",
      },
    });
    assert.equal(res.status, 200, res.body);
    const origin = `https://localhost:${httpsPort}`;
    assert.deepEqual(JSON.parse(res.body), {
      ip: "127.0.0.5",
      protocol: "https",
      host: `localhost:${httpsPort}`,
      url: `${origin}/whoami`,
      self: `${origin}/whoami`,
      pid: process.pid,
    });
    assert.equal(res.headers["strict-transport-security"], "max-age=31536000");
  });

  test("X-Forwarded-* sent straight to the app are ignored: only nginx's address is trusted", async () => {
    const res = await ask({
      port: appPort,
      from: "127.0.0.7",
      path: "/whoami",
      headers: {
        host: "localhost",
        "x-forwarded-for": "203.0.113.9",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "localhost:1",
      },
    });
    assert.deepEqual(JSON.parse(res.body), {
      ip: "127.0.0.7",
      protocol: "http",
      host: "localhost",
      url: "http://localhost/whoami",
      self: "http://localhost/whoami",
      pid: process.pid,
    });
  });

  test("other host names stop at nginx, and at trustedHosts when the app is reached directly", async () => {
    // nginx's default server closes the connection without an answer (444).
    await assert.rejects(
      ask({ port: httpsPort, tls: true, path: "/whoami", headers: { host: "evil.example" } }),
      /socket hang up|ECONNRESET/,
    );
    await assert.rejects(
      ask({ port: httpPort, path: "/whoami", headers: { host: "127.0.0.1" } }),
      /socket hang up|ECONNRESET/,
    );
    const direct = await ask({ port: appPort, path: "/healthz", headers: { host: "127.0.0.1" } });
    assert.equal(direct.status, 400);
    const allowed = await ask({ port: appPort, path: "/healthz", headers: { host: "localhost" } });
    assert.deepEqual(JSON.parse(allowed.body), { status: "ok" });
  });

  test("plain HTTP is redirected to HTTPS", async () => {
    const res = await ask({
      port: httpPort,
      path: "/whoami?x=1",
      headers: { host: `localhost:${httpPort}` },
    });
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, "https://localhost/whoami?x=1");
  });

  test("the session cookie is Secure, and comes back over HTTPS", async () => {
    const host = `localhost:${httpsPort}`;
    const login = await ask({
      port: httpsPort,
      tls: true,
      method: "POST",
      path: "/login",
      headers: { host, "content-type": "application/x-www-form-urlencoded" },
      body: "user=ada",
    });
    assert.equal(login.status, 303, login.body);
    assert.equal(login.headers.location, "/me");
    const cookie = login.headers["set-cookie"]?.[0] ?? "";
    assert.match(cookie, /^session=[^;]+;.*; HttpOnly; Secure; SameSite=Lax$/);
    const me = await ask({
      port: httpsPort,
      tls: true,
      path: "/me",
      headers: { host, cookie: cookie.slice(0, cookie.indexOf(";")) },
    });
    assert.equal(JSON.parse(me.body).user, "ada");
  });

  test("a body above client_max_body_size gets nginx's 413, matching maxContentLength", async () => {
    assert.equal(app.config.maxContentLength, 1024 * 1024, "phial's limit is nginx's 1m");
    const res = await ask({
      port: httpsPort,
      tls: true,
      method: "POST",
      path: "/login",
      headers: {
        host: `localhost:${httpsPort}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: `user=${"a".repeat(1024 * 1024)}`,
    });
    assert.equal(res.status, 413);
    assert.match(String(res.headers.server), /^nginx/);
  });
});
