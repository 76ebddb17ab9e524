import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type ConfigInit, Phial, type UploadedFile } from "../src/index.ts";
import { safeFilename } from "../src/uploads.ts";
import { silentLogger } from "./helpers/logger.ts";
import {
  multipartBody,
  noTempUploadsWithin,
  type TestPart,
  tempUploads,
} from "./helpers/multipart.ts";

// A temporary directory of this file's own, so other test files' uploads never count here.
let dir = "";
let saveDir = "";
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "phial-uploads-test-"));
  saveDir = mkdtempSync(path.join(dir, "saved-"));
  process.env.TMPDIR = dir;
});
after(() => rmSync(dir, { recursive: true, force: true }));

function describeFile(file: UploadedFile) {
  return {
    field: file.fieldName,
    filename: file.filename,
    original: file.originalFilename,
    type: file.contentType,
    size: file.size,
  };
}

function uploadApp(config: ConfigInit = {}): Phial {
  const app = new Phial({ config, logger: silentLogger() });
  app.post("/upload", async (req) => {
    const form = await req.form();
    const files = await req.files();
    const out: Record<string, unknown> = { fields: form.toObject({ all: true }), files: [] };
    const list: unknown[] = [];
    for (const [, file] of files) list.push({ ...describeFile(file), text: await file.text() });
    out.files = list;
    out.tempFiles = tempUploads().length;
    return out;
  });
  return app;
}

async function post(app: Phial, parts: readonly TestPart[]) {
  const { body, headers } = multipartBody(parts);
  return app.testClient().post("/upload", { body, headers });
}

describe("multipart forms", () => {
  test("text fields go to form(), files to files(), several per field, in order", async () => {
    const res = await post(uploadApp(), [
      { name: "title", value: "Holiday" },
      { name: "tag", value: "sea" },
      { name: "photo", value: "one", filename: "a.jpg", contentType: "image/jpeg" },
      { name: "tag", value: "sun" },
      { name: "photo", value: "two!", filename: "b.png", contentType: "image/png" },
    ]);
    assert.equal(res.status, 200);
    const data = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(data.fields, { title: ["Holiday"], tag: ["sea", "sun"] });
    assert.deepEqual(data.files, [
      {
        field: "photo",
        filename: "a.jpg",
        original: "a.jpg",
        type: "image/jpeg",
        size: 3,
        text: "one",
      },
      {
        field: "photo",
        filename: "b.png",
        original: "b.png",
        type: "image/png",
        size: 4,
        text: "two!",
      },
    ]);
    assert.equal(data.tempFiles, 2, "files wait on disk while the handler runs");
    assert.deepEqual(await noTempUploadsWithin(), [], "and are removed after the response");
  });

  test("files: getAll, bytes, stream, and empty file inputs", async () => {
    const app = new Phial();
    app.post("/", async (req) => {
      const files = await req.files();
      const [a, b] = files.getAll("doc") as [UploadedFile, UploadedFile];
      const chunks: Buffer[] = [];
      for await (const chunk of b.stream()) chunks.push(chunk as Buffer);
      const empty = files.get("none") as UploadedFile;
      return {
        a: [...(await a.bytes())],
        b: Buffer.concat(chunks).toString(),
        empty: [empty.originalFilename, empty.filename, empty.size],
        missing: files.get("nope"),
      };
    });
    const { body, headers } = multipartBody([
      { name: "doc", value: new Uint8Array([0, 255, 10]), filename: "bin.dat" },
      { name: "doc", value: "héllo", filename: "t.txt" },
      { name: "none", value: "", filename: "", contentType: "application/octet-stream" },
    ]);
    const res = await app.testClient().post("/", { body, headers });
    assert.deepEqual(await res.json(), {
      a: [0, 255, 10],
      b: "héllo",
      empty: ["", "upload", 0],
      missing: null,
    });
  });

  test("a handler may return file.stream() as the response", async () => {
    const app = new Phial();
    app.post("/", async (req) => ((await req.files()).get("f") as UploadedFile).stream());
    const big = "0123456789".repeat(50_000);
    const { body, headers } = multipartBody([{ name: "f", value: big, filename: "big.txt" }]);
    const res = await app.testClient().post("/", { body, headers });
    assert.equal(res.status, 200);
    assert.equal(res.text(), big);
    assert.deepEqual(await noTempUploadsWithin(), []);
  });

  test("hostile and unicode file names become safe base names", async () => {
    const names: [string, string][] = [
      ["../../etc/passwd", "passwd"],
      ["C:\\evil\\x.txt", "x.txt"],
      [".bashrc", "bashrc"],
      ["..", "upload"],
      ["a\u0000b.txt", "ab.txt"],
      ["résumé 😀.pdf", "résumé 😀.pdf"],
      ["/abs/olute/ ", "upload"],
      ["C:evil.txt", "Cevil.txt"],
      ["a.txt:hidden", "a.txthidden"],
      ["invoice\u202Efdp.exe", "invoicefdp.exe"],
      ["CON", "_CON"],
      ["nul.txt", "_nul.txt"],
      ["console.log", "console.log"],
    ];
    const parts = names.map(([sent]) => ({ name: "f", value: "x", filename: sent }));
    const res = await post(uploadApp(), parts);
    assert.equal(res.status, 200);
    const files = ((await res.json()) as { files: { filename: string; original: string }[] }).files;
    assert.deepEqual(
      files.map((f) => [f.original, f.filename]),
      names,
    );
  });

  test("safeFilename keeps names short and whole", () => {
    const long = `${"é".repeat(300)}.tar.gz`;
    const safe = safeFilename(long);
    assert.ok(Buffer.byteLength(safe) <= 255);
    assert.ok(safe.endsWith(".gz") && safe.startsWith("é"));
    assert.equal(safeFilename("x\r\n.txt"), "x.txt");
    assert.equal(safeFilename("trail. . "), "trail");
  });

  test("save() copies the file and refuses to overwrite unless asked", async () => {
    const app = new Phial({ logger: silentLogger() });
    app.post("/", async (req) => {
      const file = (await req.files()).get("f") as UploadedFile;
      const target = path.join(saveDir, file.filename);
      await file.save(target);
      let refused = "";
      try {
        await file.save(target);
      } catch (err) {
        refused = (err as NodeJS.ErrnoException).code ?? "";
      }
      writeFileSync(target, "old");
      await file.save(target, { overwrite: true });
      return { refused, text: await file.text() };
    });
    const { body, headers } = multipartBody([{ name: "f", value: "saved!", filename: "../s.txt" }]);
    const res = await app.testClient().post("/", { body, headers });
    assert.deepEqual(await res.json(), { refused: "EEXIST", text: "saved!" });
    const saved = path.join(saveDir, "s.txt");
    assert.equal(readFileSync(saved, "utf8"), "saved!");
    assert.equal(statSync(saved).isFile(), true);
    assert.deepEqual(await noTempUploadsWithin(), []);
  });

  test("temporary files are private (mode 0600)", async () => {
    const app = new Phial();
    let mode = 0;
    app.post("/", async (req) => {
      await req.files();
      const [name] = tempUploads();
      mode = statSync(path.join(tmpdir(), name as string)).mode & 0o777;
      return "ok";
    });
    const { body, headers } = multipartBody([{ name: "f", value: "x", filename: "x" }]);
    assert.equal((await app.testClient().post("/", { body, headers })).status, 200);
    assert.equal(mode, 0o600);
  });
});

describe("multipart limits", () => {
  const file = (size: number): TestPart => ({ name: "f", value: "x".repeat(size), filename: "f" });

  test("too many parts is 413", async () => {
    const parts = Array.from({ length: 6 }, (_, i) => ({ name: `p${i}`, value: "v" }));
    const res = await post(uploadApp({ maxFormParts: 5 }), parts);
    assert.equal(res.status, 413);
    const ok = await post(uploadApp({ maxFormParts: 6 }), parts);
    assert.equal(ok.status, 200);
  });

  test("too many files is 413 and leaves no temporary file", async () => {
    const res = await post(uploadApp({ maxFormParts: 3 }), [
      file(10),
      file(10),
      file(10),
      file(10),
    ]);
    assert.equal(res.status, 413);
    assert.deepEqual(await noTempUploadsWithin(), []);
  });

  test("a field larger than maxFormMemorySize is 413; so are many fields together", async () => {
    const app = uploadApp({ maxFormMemorySize: 100 });
    assert.equal((await post(app, [{ name: "a", value: "x".repeat(101) }])).status, 413);
    const many = Array.from({ length: 5 }, () => ({ name: "a", value: "x".repeat(30) }));
    assert.equal((await post(app, many)).status, 413);
    assert.equal((await post(app, [{ name: "a", value: "x".repeat(90) }])).status, 200);
  });

  test("a file or body larger than maxContentLength is 413 and leaves no temporary file", async () => {
    const app = uploadApp({ maxContentLength: 64 * 1024 });
    // Chunked, so no declared length refuses it up front: the first file's temporary file
    // exists when the count passes the limit, and must be gone afterwards.
    const { body, headers } = multipartBody([file(10), file(100 * 1024)]);
    const res = await app.testClient().post("/upload", {
      body,
      headers: { ...headers, "transfer-encoding": "chunked" },
    });
    assert.equal(res.status, 413);
    assert.deepEqual(await noTempUploadsWithin(), []);
    const ok = await post(app, [file(10), file(30 * 1024)]);
    assert.equal(ok.status, 200);
    assert.deepEqual(await noTempUploadsWithin(), []);
  });

  test("file sizes count against maxContentLength, not maxFormMemorySize", async () => {
    const res = await post(uploadApp({ maxFormMemorySize: 10 }), [file(5000)]);
    assert.equal(res.status, 200);
    assert.deepEqual(await noTempUploadsWithin(), []);
  });
});

describe("malformed multipart and other types", () => {
  test("a missing or bad boundary, or a truncated body, is 400", async () => {
    const app = uploadApp();
    const client = app.testClient();
    const { body } = multipartBody([{ name: "a", value: "1" }]);
    for (const type of [
      "multipart/form-data",
      'multipart/form-data; boundary=""',
      `multipart/form-data; boundary=${"x".repeat(71)}`,
      "multipart/form-data; boundary=other",
    ]) {
      const res = await client.post("/upload", { body, headers: { "content-type": type } });
      assert.equal(res.status, 400, type);
    }
    const { headers } = multipartBody([]);
    const cut = body.subarray(0, body.length - 10);
    assert.equal((await client.post("/upload", { body: cut, headers })).status, 400);
  });

  test("a part without a name is 400", async () => {
    const { body, headers } = multipartBody([{ name: "x", value: "1" }]);
    const nameless = Buffer.from(body.toString().replace('; name="x"', ""));
    const res = await uploadApp().testClient().post("/upload", { body: nameless, headers });
    assert.equal(res.status, 400);
  });

  test("urlencoded forms are unchanged and have no files; other types stay 415", async () => {
    const app = uploadApp();
    const client = app.testClient();
    const res = await client.post("/upload", { form: { a: ["1", "2"] } });
    assert.deepEqual((await res.json()) as unknown, {
      fields: { a: ["1", "2"] },
      files: [],
      tempFiles: 0,
    });
    assert.equal((await client.post("/upload", { json: { a: 1 } })).status, 415);
    const empty = await client.post("/upload");
    assert.deepEqual(((await empty.json()) as { fields: unknown }).fields, {});
  });

  test("field names are data: __proto__ and constructor never reach a prototype", async () => {
    const res = await post(uploadApp(), [
      { name: "__proto__", value: "polluted" },
      { name: "constructor", value: "c" },
      { name: "__proto__", value: "p", filename: "p.txt" },
    ]);
    assert.equal(res.status, 200);
    const data = (await res.json()) as { fields: Record<string, string[]> };
    assert.deepEqual(Object.entries(data.fields), [
      ["__proto__", ["polluted"]],
      ["constructor", ["c"]],
    ]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
