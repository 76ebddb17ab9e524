import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Phial, Response, sendFile, sendFromDirectory } from "../src/index.ts";
import { FileBody } from "../src/static.ts";
import { silentLogger } from "./helpers/logger.ts";

const MTIME = new Date("2024-03-01T12:00:00.250Z");
const LAST_MODIFIED = "Fri, 01 Mar 2024 12:00:00 GMT";
const CSS = "body { color: red; }\n";
// 200 KiB of a known pattern, so ranges across the 64 KiB read chunks can be checked byte for byte.
const BIG = Buffer.from(Array.from({ length: 200 * 1024 }, (_, i) => (i * 7) % 251));

let dir = "";
let staticDir = "";

function write(relative: string, content: string | Buffer): string {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  utimesSync(file, MTIME, MTIME);
  return file;
}

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "phial-static-"));
  staticDir = path.join(dir, "static");
  write("static/css/site.css", CSS);
  write("static/js/app.js", "console.log(1);\n");
  write("static/img/logo.png", Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  write("static/data.json", '{"a":1}');
  write("static/notes.unknownext", "?");
  write("static/big.bin", BIG);
  write("static/empty.txt", "");
  write("static/.env", "SECRET=1");
  write("files/report.txt", "report body");
  write("public/hello.txt", "hello");
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function appWithStatic(options: ConstructorParameters<typeof Phial>[0] = {}): Phial {
  return new Phial({ rootPath: dir, logger: silentLogger(), ...options });
}

describe("the app's static folder", () => {
  test("serves files with their content type, charset and nosniff", async () => {
    const client = appWithStatic().testClient();
    const types: [string, string][] = [
      ["/static/css/site.css", "text/css; charset=utf-8"],
      ["/static/js/app.js", "text/javascript; charset=utf-8"],
      ["/static/data.json", "application/json; charset=utf-8"],
      ["/static/img/logo.png", "image/png"],
      ["/static/notes.unknownext", "application/octet-stream"],
    ];
    for (const [url, type] of types) {
      const res = await client.get(url);
      assert.equal(res.status, 200, url);
      assert.equal(res.headers.get("content-type"), type, url);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", url);
    }
    const css = await client.get("/static/css/site.css");
    assert.equal(css.text(), CSS);
    assert.equal(css.headers.get("content-length"), String(Buffer.byteLength(CSS)));
    assert.equal(css.headers.get("accept-ranges"), "bytes");
    await client.close();
  });

  test("ETag and Last-Modified come from size and mtime; Cache-Control is no-cache", async () => {
    const client = appWithStatic().testClient();
    const res = await client.get("/static/css/site.css");
    const size = Buffer.byteLength(CSS).toString(16);
    assert.equal(res.headers.get("etag"), `"${size}-${MTIME.getTime().toString(16)}"`);
    assert.equal(res.headers.get("last-modified"), LAST_MODIFIED);
    assert.equal(res.headers.get("cache-control"), "no-cache");
    await client.close();
  });

  test("304 by If-None-Match or If-Modified-Since, and If-None-Match wins", async () => {
    const client = appWithStatic().testClient();
    const first = await client.get("/static/css/site.css");
    const etag = first.headers.get("etag") ?? "";
    const byTag = await client.get("/static/css/site.css", { headers: { "if-none-match": etag } });
    assert.equal(byTag.status, 304);
    assert.equal(byTag.buffer.length, 0);
    assert.equal(byTag.headers.get("etag"), etag);
    assert.equal(byTag.headers.get("content-length"), null);
    const byDate = await client.get("/static/css/site.css", {
      headers: { "if-modified-since": LAST_MODIFIED },
    });
    assert.equal(byDate.status, 304);
    const newer = await client.get("/static/css/site.css", {
      headers: { "if-modified-since": "Fri, 01 Mar 2024 11:59:59 GMT" },
    });
    assert.equal(newer.status, 200);
    const both = await client.get("/static/css/site.css", {
      headers: { "if-none-match": '"stale"', "if-modified-since": LAST_MODIFIED },
    });
    assert.equal(both.status, 200);
    assert.equal(both.text(), CSS);
    await client.close();
  });

  test("Range: 206 with Content-Range, across read chunks", async () => {
    const client = appWithStatic().testClient();
    const cases: [string, number, number][] = [
      ["bytes=0-9", 0, 9],
      ["bytes=65530-131080", 65530, 131080],
      ["bytes=204000-", 204000, BIG.length - 1],
      ["bytes=-100", BIG.length - 100, BIG.length - 1],
      ["bytes=204700-999999", 204700, BIG.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await client.get("/static/big.bin", { headers: { range } });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get("content-range"), `bytes ${start}-${end}/${BIG.length}`, range);
      assert.equal(res.headers.get("content-length"), String(end - start + 1), range);
      assert.ok(res.buffer.equals(BIG.subarray(start, end + 1)), range);
    }
    await client.close();
  });

  test("Range: 416 with bytes */size; several ranges get the whole file", async () => {
    const client = appWithStatic().testClient();
    const bad = await client.get("/static/big.bin", {
      headers: { range: "bytes=999999-", accept: "application/json" },
    });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers.get("content-range"), `bytes */${BIG.length}`);
    assert.equal(bad.headers.get("content-type"), "application/json");
    assert.equal((bad.json() as { error: { code: string } }).error.code, "range_not_satisfiable");
    const empty = await client.get("/static/empty.txt", { headers: { range: "bytes=0-" } });
    assert.equal(empty.status, 416);
    assert.equal(empty.headers.get("content-range"), "bytes */0");
    const many = `bytes=${Array.from({ length: 1000 }, (_, i) => `${i * 2}-${i * 2}`).join(",")}`;
    const multi = await client.get("/static/big.bin", { headers: { range: many } });
    assert.equal(multi.status, 200);
    assert.ok(multi.buffer.equals(BIG));
    await client.close();
  });

  test("If-Range: the range only while the validator still matches", async () => {
    const client = appWithStatic().testClient();
    const etag = (await client.head("/static/big.bin")).headers.get("etag") ?? "";
    const range = "bytes=10-19";
    const same = await client.get("/static/big.bin", { headers: { range, "if-range": etag } });
    assert.equal(same.status, 206);
    assert.ok(same.buffer.equals(BIG.subarray(10, 20)));
    const byDate = await client.get("/static/big.bin", {
      headers: { range, "if-range": LAST_MODIFIED },
    });
    assert.equal(byDate.status, 206);
    const stale = await client.get("/static/big.bin", { headers: { range, "if-range": '"x"' } });
    assert.equal(stale.status, 200);
    assert.equal(stale.buffer.length, BIG.length);
    await client.close();
  });

  test("HEAD: the GET headers, no body; a Range on HEAD is ignored", async () => {
    const client = appWithStatic().testClient();
    const res = await client.head("/static/big.bin", { headers: { range: "bytes=0-9" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), String(BIG.length));
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    assert.equal(res.buffer.length, 0);
    const empty = await client.get("/static/empty.txt");
    assert.equal(empty.status, 200);
    assert.equal(empty.headers.get("content-length"), "0");
    await client.close();
  });

  test("urlFor('static'), a custom URL path and folder, dotfiles and misses are 404", async () => {
    const app = appWithStatic();
    assert.equal(app.urlFor("static", { filename: "css/site.css" }), "/static/css/site.css");
    assert.equal(app.staticFolder, staticDir);
    assert.equal(app.staticUrlPath, "/static");
    const client = app.testClient();
    assert.equal((await client.get("/static/.env")).status, 404);
    assert.equal((await client.get("/static/nope.css")).status, 404);
    assert.equal((await client.get("/static/css")).status, 404);
    await client.close();

    const custom = appWithStatic({ staticFolder: "public", staticUrlPath: "/assets/" });
    assert.equal(custom.urlFor("static", { filename: "hello.txt" }), "/assets/hello.txt");
    const res = await custom.testClient().get("/assets/hello.txt");
    assert.equal(res.text(), "hello");
    assert.equal(appWithStatic({ staticFolder: "public" }).staticUrlPath, "/public");
    assert.throws(() => appWithStatic({ staticUrlPath: "/:x" }), /staticUrlPath/);
  });

  test("staticFolder null, or a default folder that does not exist, registers nothing", async () => {
    const off = appWithStatic({ staticFolder: null });
    assert.deepEqual(off.rules(), []);
    assert.equal(off.staticFolder, null);
    assert.equal((await off.testClient().get("/static/css/site.css")).status, 404);
    const none = new Phial({ rootPath: path.join(dir, "files") });
    assert.deepEqual(none.rules(), []);
    // Given explicitly, a missing folder is still routed, as in Flask: it answers 404.
    const missing = new Phial({ rootPath: dir, staticFolder: "not-there", logger: silentLogger() });
    assert.deepEqual(
      missing.rules().map((r) => r.endpoint),
      ["static"],
    );
    assert.equal((await missing.testClient().get("/not-there/a.css")).status, 404);
  });

  test("rootPath defaults to the directory of the module that created the app", () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    assert.equal(new Phial().rootPath, here);
    class MyApp extends Phial {}
    assert.equal(new MyApp().rootPath, here);
  });

  test("config.sendFileMaxAge, maxAge and a hook's own Cache-Control", async () => {
    const app = appWithStatic({ config: { sendFileMaxAge: 3600 } });
    app.get("/short", () => sendFile(path.join(staticDir, "css/site.css"), { maxAge: 60 }));
    app.get("/zero", () => sendFile(path.join(staticDir, "css/site.css"), { maxAge: 0 }));
    const client = app.testClient();
    const fromConfig = await client.get("/static/css/site.css");
    assert.equal(fromConfig.headers.get("cache-control"), "public, max-age=3600");
    assert.equal((await client.get("/short")).headers.get("cache-control"), "public, max-age=60");
    assert.equal((await client.get("/zero")).headers.get("cache-control"), "no-cache, max-age=0");

    const hooked = appWithStatic({ config: { sendFileMaxAge: 3600 } });
    hooked.afterRequest((res) => {
      res.headers.set("Cache-Control", "private");
      return res;
    });
    const res = await hooked.testClient().get("/static/css/site.css");
    assert.equal(res.headers.get("cache-control"), "private");
  });
});

describe("sendFile and sendFromDirectory in handlers", () => {
  test("sendFile: returned or awaited, with or without hooks", async () => {
    const report = path.join(dir, "files/report.txt");
    for (const withHook of [false, true]) {
      const app = new Phial({ staticFolder: null, logger: silentLogger() });
      if (withHook) app.afterRequest((res) => res);
      app.get("/returned", () => sendFile(report));
      app.get("/awaited", async () => {
        const res = await sendFile(report);
        res.headers.set("X-Extra", "1");
        return res;
      });
      app.post("/post", () => sendFile(report));
      const client = app.testClient();
      const returned = await client.get("/returned");
      assert.equal(returned.text(), "report body");
      assert.equal(returned.headers.get("content-type"), "text/plain; charset=utf-8");
      const etag = returned.headers.get("etag") ?? "";
      assert.equal((await client.get("/awaited")).headers.get("x-extra"), "1");
      const cached = await client.get("/returned", { headers: { "if-none-match": etag } });
      assert.equal(cached.status, 304);
      // Only GET and HEAD are conditional.
      const posted = await client.post("/post", { headers: { "if-none-match": etag } });
      assert.equal(posted.status, 200);
      assert.equal(posted.text(), "report body");
      await client.close();
    }
  });

  test("asAttachment with a unicode, quote-bearing name", async () => {
    const app = new Phial({ staticFolder: null });
    const report = path.join(dir, "files/report.txt");
    app.get("/dl", () =>
      sendFile(report, { asAttachment: true, downloadName: 'Größe "Q1"\r\n.csv' }),
    );
    app.get("/plain", () => sendFile(report, { asAttachment: true }));
    app.get("/inline", () => sendFile(report, { downloadName: "shown.txt" }));
    const client = app.testClient();
    const res = await client.get("/dl");
    assert.equal(
      res.headers.get("content-disposition"),
      "attachment; filename=\"Groe _Q1___.csv\"; filename*=UTF-8''Gr%C3%B6%C3%9Fe%20%22Q1%22%0D%0A.csv",
    );
    // The type follows the download name.
    assert.equal(res.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.equal(
      (await client.get("/plain")).headers.get("content-disposition"),
      'attachment; filename="report.txt"',
    );
    assert.equal(
      (await client.get("/inline")).headers.get("content-disposition"),
      'inline; filename="shown.txt"',
    );
    await client.close();
  });

  test("mimetype, etag and conditional options", async () => {
    const app = new Phial({ staticFolder: null });
    const report = path.join(dir, "files/report.txt");
    app.get("/typed", () => sendFile(report, { mimetype: "text/markdown" }));
    app.get("/tagged", () => sendFile(report, { etag: "v1" }));
    app.get("/untagged", () => sendFile(report, { etag: false }));
    app.get("/plain", () => sendFile(report, { conditional: false }));
    const client = app.testClient();
    assert.equal(
      (await client.get("/typed")).headers.get("content-type"),
      "text/markdown; charset=utf-8",
    );
    assert.equal((await client.get("/tagged")).headers.get("etag"), '"v1"');
    const tagged = await client.get("/tagged", { headers: { "if-none-match": '"v1"' } });
    assert.equal(tagged.status, 304);
    assert.equal((await client.get("/untagged")).headers.get("etag"), null);
    const plain = await client.get("/plain", {
      headers: { "if-none-match": '"v1", *', range: "bytes=0-1" },
    });
    assert.equal(plain.status, 200);
    assert.equal(plain.text(), "report body");
    assert.equal(plain.headers.get("accept-ranges"), null);
    await client.close();
  });

  test("missing files and directories are 404 without a path in the body", async () => {
    const app = new Phial({ staticFolder: null, logger: silentLogger() });
    app.get("/missing", () => sendFile(path.join(dir, "files/missing.txt")));
    app.get("/dir", () => sendFile(path.join(dir, "files")));
    app.get("/from/<path:name>", (req) =>
      sendFromDirectory(path.join(dir, "files"), req.params.name),
    );
    const client = app.testClient();
    for (const url of ["/missing", "/dir", "/from/missing.txt", "/from/..%2fstatic%2f.env"]) {
      const res = await client.get(url);
      assert.equal(res.status, 404, url);
      assert.ok(!res.text().includes(dir), url);
    }
    assert.equal((await client.get("/from/report.txt")).text(), "report body");
    await client.close();
  });
});

describe("file responses and hooks", () => {
  test("afterRequest sees a 200 file response and may change its validators", async () => {
    const app = appWithStatic();
    const seen: { status: number; file: boolean; etag: string | null }[] = [];
    app.afterRequest((res) => {
      seen.push({
        status: res.status,
        file: res.body instanceof FileBody,
        etag: res.headers.get("etag"),
      });
      res.headers.set("ETag", '"from-hook"');
      return res;
    });
    const client = app.testClient();
    const res = await client.get("/static/css/site.css", {
      headers: { "if-none-match": '"from-hook"' },
    });
    assert.equal(res.status, 304);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.status, 200);
    assert.equal(seen[0]?.file, true);
    assert.match(seen[0]?.etag ?? "", /^"[0-9a-f]+-[0-9a-f]+"$/);
    await client.close();
  });

  test("a hook may replace the body or the response, or change the status", async () => {
    const app = appWithStatic();
    app.afterRequest((res, req) => {
      if (req.query.has("text")) res.body = "replaced";
      if (req.query.has("new")) return new Response("new one", { status: 201 });
      if (req.query.has("status")) res.status = 203;
      return res;
    });
    const client = app.testClient();
    const replaced = await client.get("/static/css/site.css?text", {
      headers: { range: "bytes=0-1" },
    });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.text(), "replaced");
    assert.equal(replaced.headers.get("content-length"), "8");
    const fresh = await client.get("/static/css/site.css?new");
    assert.equal(fresh.status, 201);
    assert.equal(fresh.text(), "new one");
    // A status other than 200 turns the conditional step off: the whole file, as the hook said.
    const other = await client.get("/static/css/site.css?status", {
      headers: { range: "bytes=0-1" },
    });
    assert.equal(other.status, 203);
    assert.equal(other.text(), CSS);
    await client.close();
  });

  test("HEAD, 304 and 416 never open the file", async () => {
    // The hook deletes the file after sendFile stat'ed it: any later open would fail.
    const app = new Phial({ staticFolder: null, logger: silentLogger() });
    let file = "";
    app.get("/f", () => sendFile(file));
    app.afterRequest((res) => {
      unlinkSync(file);
      return res;
    });
    const client = app.testClient();
    const answers: [string, Record<string, string>, number][] = [
      ["HEAD", {}, 200],
      ["GET", { "if-modified-since": LAST_MODIFIED }, 304],
      ["GET", { range: "bytes=500-" }, 416],
    ];
    for (const [method, headers, status] of answers) {
      file = write(`gone-${status}.txt`, "short");
      const res = await client.open(method, "/f", { headers });
      assert.equal(res.status, status, method);
    }
    await client.close();
  });
});
