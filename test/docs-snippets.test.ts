/**
 * The code in docs/*.md must stay true to phial:
 *
 * - every ```ts block type-checks against src/. Each block is written to its own module in a
 *   temporary folder inside the repository (where node_modules and tsconfig.json are found),
 *   with `phial` and `phial/testing` mapped to src/, and the folder is compiled with the
 *   repository's tsc. A block that is deliberately partial says so: ```ts fragment.
 * - a block whose info string names a file (```nginx file=examples/deploy/nginx/phial.conf) is
 *   that file, word for word; the file itself is what the tests run.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

const ROOT = join(import.meta.dirname, "..");
const DOCS = join(ROOT, "docs");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

interface Block {
  doc: string;
  /** The line of the opening fence. */
  line: number;
  code: string;
}

interface Blocks {
  /** ```ts blocks to compile, each with the module name it is written to. */
  compiled: (Block & { file: string })[];
  /** Blocks that copy a file of the repository. */
  copies: (Block & { path: string })[];
  fragments: number;
}

/** The fenced blocks of one Markdown text that this test checks. */
function blocksOf(doc: string, text: string): Blocks {
  const found: Blocks = { compiled: [], copies: [], fragments: 0 };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i] ?? "");
    if (!open) continue;
    const [, indent = "", fence = "", info = ""] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !(lines[j] ?? "").startsWith(`${indent}${fence}`); j++) {
      body.push((lines[j] ?? "").slice(indent.length));
    }
    const block = { doc, line: i + 1, code: body.join("\n") };
    const words = info.trim().split(/\s+/);
    const copy = words.find((word) => word.startsWith("file="));
    if (copy !== undefined) found.copies.push({ ...block, path: copy.slice("file=".length) });
    else if (words[0] === "ts" && words.includes("fragment")) found.fragments++;
    else if (words[0] === "ts") {
      found.compiled.push({ ...block, file: `${basename(doc, ".md")}-L${i + 1}.ts` });
    }
    i = j;
  }
  return found;
}

async function allBlocks(): Promise<Blocks> {
  const docs = (await readdir(DOCS)).filter((name) => name.endsWith(".md")).sort();
  assert.ok(docs.length >= 3, "the guides are in docs/");
  const all: Blocks = { compiled: [], copies: [], fragments: 0 };
  for (const doc of docs) {
    const found = blocksOf(doc, await readFile(join(DOCS, doc), "utf8"));
    assert.ok(found.compiled.length > 0, `${doc} has ts blocks to check`);
    all.compiled.push(...found.compiled);
    all.copies.push(...found.copies);
    all.fragments += found.fragments;
  }
  return all;
}

test("every ts block in docs/ type-checks against src/", async () => {
  const { compiled } = await allBlocks();
  const dir = await mkdtemp(join(ROOT, ".docs-check-"));
  try {
    await writeFile(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: "../tsconfig.json",
        compilerOptions: {
          paths: { phial: ["../src/index.ts"], "phial/testing": ["../src/testing.ts"] },
        },
        include: ["*.ts"],
      }),
    );
    for (const block of compiled) {
      // `export {}` keeps each block a module of its own, so their names never collide.
      await writeFile(join(dir, block.file), `${block.code}\nexport {};\n`);
    }
    const result = await promisify(execFile)(process.execPath, [TSC, "-p", dir]).then(
      () => ({ code: 0, out: "" }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({
        code: err.code ?? 1,
        out: `${err.stdout ?? ""}${err.stderr ?? ""}`,
      }),
    );
    // Point errors at the Markdown: "docs/from-flask.md:57:10 - error TS2339: ...".
    const byFile = new Map(compiled.map((block) => [block.file, block]));
    const report = result.out.replace(
      /(?:\S*[\\/])?([\w.-]+-L\d+\.ts)[(:](\d+)[,:](\d+)\)?/g,
      (whole, file: string, line: string, column: string) => {
        const block = byFile.get(file);
        return block ? `docs/${block.doc}:${block.line + Number(line)}:${column}` : whole;
      },
    );
    assert.equal(result.code, 0, `docs/ blocks do not type-check:\n${report}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("blocks that show a file of the repository match it", async () => {
  const { copies } = await allBlocks();
  assert.ok(copies.length > 0);
  for (const copy of copies) {
    const file = await readFile(join(ROOT, copy.path), "utf8");
    assert.equal(
      `${copy.code}\n`,
      file,
      `docs/${copy.doc}:${copy.line} shows ${copy.path}, which has changed since: copy it again`,
    );
  }
});
