/**
 * Security rule 3 over a real socket: hostile request targets are written byte for byte with
 * `net.connect` (fetch and http.request would normalise or refuse some of them), against a real
 * `app.listen()`. The same targets then go through the test client, which must not normalise
 * either.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Phial, sendFromDirectory, staticFiles } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";

const SECRET = "TOP-SECRET-7f3a9c";
const BIG_SIZE = 8 * 1024 * 1024;

let dir = "";
let app: Phial;
let port = 0;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "phial-traversal-"));
  const root = path.join(dir, "static");
  mkdirSync(path.join(root, "sub"), { recursive: true });
  mkdirSync(path.join(dir, "static-secret"));
  writeFileSync(path.join(root, "site.css"), "body{}");
  writeFileSync(path.join(root, "sub", "inner.txt"), "inner");
  writeFileSync(path.join(root, ".env"), SECRET);
  writeFileSync(path.join(root, "sub", ".hidden"), SECRET);
  writeFileSync(path.join(root, "big.bin"), Buffer.alloc(BIG_SIZE, 0x61));
  writeFileSync(path.join(dir, "secret.txt"), SECRET);
  writeFileSync(path.join(dir, "static-secret", "secret.txt"), SECRET);
  // Out of the root, to a file, to a directory, and into the sibling that shares the prefix.
  symlinkSync(path.join(dir, "secret.txt"), path.join(root, "link-out"));
  symlinkSync(path.join(dir, "static-secret"), path.join(root, "link-dir"));
  symlinkSync("../static-secret/secret.txt", path.join(root, "link-sibling"));
  // Inside the root: allowed.
  symlinkSync("site.css", path.join(root, "link-in"));
  app = new Phial({ rootPath: dir, logger: silentLogger() });
  await app.listen({ port: 0 });
  port = app.address()?.port ?? 0;
});

after(async () => {
  await app.close({ timeout: 100 });
  rmSync(dir, { recursive: true, force: true });
});

interface RawAnswer {
  status: number;
  text: string;
}

/** Sends one request line exactly as given and reads the whole answer. */
function raw(target: string, method = "GET"): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer for ${target}`));
    }, 5000);
    socket.on("connect", () => {
      socket.write(
        `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
        "latin1",
      );
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0), text });
    });
  });
}

const HOSTILE: readonly string[] = [
  "/static/../secret.txt",
  "/static/../static-secret/secret.txt",
  "/static/sub/../../secret.txt",
  "/static/%2e%2e/secret.txt",
  "/static/%2E%2E/%2e%2e/secret.txt",
  "/static/.%2e/secret.txt",
  "/static/%252e%252e/secret.txt",
  "/static/%252e%252e%252fsecret.txt",
  "/static/..%2fsecret.txt",
  "/static/..%2Fstatic-secret%2Fsecret.txt",
  "/static/%2F..%2Fsecret.txt",
  "/static/%2Fetc%2Fpasswd",
  "/static//etc/passwd",
  "/static/sub%2f..%2f..%2fsecret.txt",
  "/static/..\\secret.txt",
  "/static/..%5csecret.txt",
  "/static/..%5Cstatic-secret%5Csecret.txt",
  "/static/sub\\..\\..\\secret.txt",
  "/static/site.css%00",
  "/static/%00../secret.txt",
  "/static/..%00/secret.txt",
  "/static/link-out",
  "/static/link-dir/secret.txt",
  "/static/link-sibling",
  "/static/.env",
  "/static/%2eenv",
  "/static/sub/.hidden",
  "/static/sub/%2ehidden",
  "/static/sub",
  "/static/sub/",
  "/static/.",
  "/static/%2e",
  "/static/./.env",
  `/static/${"a".repeat(300)}`,
  `/static/${"a/".repeat(2500)}x`,
  `/static/${"../".repeat(50)}etc/passwd`,
  `/static/${"%2e%2e%2f".repeat(50)}etc/passwd`,
];

function assertRefused(target: string, status: number, text: string): void {
  assert.ok(status === 400 || status === 404, `${target.slice(0, 80)} gave ${status}`);
  assert.ok(!text.includes(SECRET), `${target.slice(0, 80)} leaked the secret`);
  assert.ok(!text.includes(dir), `${target.slice(0, 80)} leaked a path`);
}

describe("static files over a raw socket", () => {
  test("the harness works: real files, and a symlink inside the root, are served", async () => {
    const css = await raw("/static/site.css");
    assert.equal(css.status, 200);
    assert.ok(css.text.endsWith("body{}"));
    assert.equal((await raw("/static/link-in")).status, 200);
    assert.equal((await raw("/static/sub/inner.txt")).status, 200);
  });

  test("every traversal shape is 400 or 404 and never shows the secret", async () => {
    for (const target of HOSTILE) {
      const { status, text } = await raw(target);
      assertRefused(target, status, text);
      const head = await raw(target, "HEAD");
      assertRefused(target, head.status, head.text);
    }
  });

  test("allowDotfiles and allowSymlinksOutside open exactly what they name, nothing more", async () => {
    const root = path.join(dir, "static");
    const open = new Phial({ staticFolder: null, logger: silentLogger() });
    open.get("/dot/<path:name>", (req) =>
      sendFromDirectory(root, req.params.name, { allowDotfiles: true }),
    );
    open.get("/out/<path:filename>", staticFiles(root, { allowSymlinksOutside: true }));
    const client = open.testClient();
    assert.equal(await (await client.get("/dot/.env")).text(), SECRET);
    assert.equal((await client.get("/dot/link-out")).status, 404, "symlinks out stay refused");
    assert.equal(await (await client.get("/out/link-out")).text(), SECRET);
    assert.equal((await client.get("/out/.env")).status, 404, "dotfiles stay refused");
    const up = await client.get("/out/..%2Fsecret.txt");
    assertRefused("/out/..%2Fsecret.txt", up.status, await up.text());
  });

  test("NUL is 400", async () => {
    assert.equal((await raw("/static/site.css%00")).status, 400);
    assert.equal((await raw("/static/%00")).status, 400);
  });

  test("the same targets through the test client", async () => {
    const client = app.testClient();
    for (const target of HOSTILE) {
      const res = await client.get(target);
      assertRefused(target, res.status, res.text());
    }
    await client.close();
  });
});

const PROC_FD = "/proc/self/fd";

/** Targets of this process's open descriptors (some vanish while listed: skipped). */
function openFds(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(PROC_FD)) {
    try {
      out.push(readlinkSync(path.join(PROC_FD, fd)));
    } catch {
      // Closed between readdir and readlink.
    }
  }
  return out;
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe("aborted downloads", { skip: !existsSync(PROC_FD) && "needs /proc/self/fd" }, () => {
  test("an aborted download releases its file descriptor", async () => {
    const big = path.join(dir, "static", "big.bin");
    const isBig = (target: string) => target === big;
    const baseline = openFds().length;
    const socket = net.connect(port, "127.0.0.1");
    let received = 0;
    const started = new Promise<void>((resolve, reject) => {
      socket.on("error", reject);
      socket.on("data", (chunk: Buffer) => {
        received += chunk.length;
        // Stop reading after the first bytes: the server is then held by backpressure.
        if (received > 64 * 1024) {
          socket.pause();
          resolve();
        }
      });
    });
    socket.write("GET /static/big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n");
    await started;
    assert.ok(
      await waitFor(() => openFds().some(isBig), 2000),
      "the file is open while it is sent",
    );
    socket.destroy();
    const released = await waitFor(
      () => !openFds().some(isBig) && openFds().length <= baseline,
      3000,
    );
    assert.ok(released, `still open: ${openFds().filter(isBig).length} fd(s) on big.bin`);
    assert.ok(received < BIG_SIZE);
  });
});
