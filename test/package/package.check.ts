/**
 * Checks the package a user installs, not the source tree: `npm pack` (which builds through
 * `prepack`), then the tarball's file list, publint, arethetypeswrong, and a temporary project
 * that installs the tarball and uses it from ESM, from CommonJS (Node's require(esm)), from
 * TypeScript with node16 and bundler resolution, and through the `phial` command, with no
 * TypeScript tooling installed beside it.
 *
 * Run by `npm run check:package` (from `.ci/run`), not by `npm test`: it builds, packs and
 * installs, which takes a while and needs the npm registry or a warm npm cache.
 * `PHIAL_NODES` (paths of node binaries, separated by ":") runs the smoke programs under each.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const BIN = (name: string) => join(ROOT, "node_modules", ".bin", name);
const CONSUMER = join(import.meta.dirname, "consumer");
const NODES = (process.env.PHIAL_NODES ?? process.execPath)
  .split(":")
  .filter(Boolean)
  .map((path) => ({
    path,
    version: execFileSync(path, ["--version"], { encoding: "utf8" }).trim(),
  }));

let work: string;
let tarball: string;
let project: string;
let files: string[];

/** Runs a program to completion; a failure carries its whole output. */
async function sh(file: string, args: string[], cwd: string) {
  try {
    return await run(file, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(" ")} failed in ${cwd}:\n${e.stdout}\n${e.stderr}`, {
      cause: err,
    });
  }
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), "phial-pack-"));
  // `npm pack` runs `prepack`, so the tarball holds a fresh build of src/.
  const { stdout } = await sh(NPM, ["pack", "--json", "--pack-destination", work], ROOT);
  const packed = JSON.parse(stdout.slice(stdout.indexOf("["))) as {
    filename: string;
    files: { path: string }[];
  }[];
  const [info] = packed;
  assert.ok(info, "npm pack reported no package");
  tarball = join(work, info.filename);
  files = info.files.map((f) => f.path).sort();

  project = join(work, "app");
  await cp(CONSUMER, project, { recursive: true });
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "smoke", private: true, type: "module" }, null, 2),
  );
  // Only the tarball and what it depends on: no tsx, no typescript, no @types.
  await sh(
    NPM,
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock", tarball],
    project,
  );
});

after(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

test("the tarball holds dist/, README, LICENSE and package.json, nothing else", () => {
  const stray = files.filter(
    (f) => !f.startsWith("dist/") && !["README.md", "LICENSE", "package.json"].includes(f),
  );
  assert.deepEqual(stray, [], "files outside dist/ in the tarball");
  for (const needed of [
    "dist/index.js",
    "dist/index.d.ts",
    "dist/testing.js",
    "dist/testing.d.ts",
    "dist/cli/main.js",
    "README.md",
    "LICENSE",
  ]) {
    assert.ok(files.includes(needed), `${needed} is missing from the tarball`);
  }
  // Every module comes with its declarations and its source map, and nothing else is shipped.
  for (const f of files.filter((p) => p.startsWith("dist/"))) {
    assert.match(f, /\.(js|js\.map|d\.ts)$/, `unexpected file ${f}`);
  }
  const js = files.filter((f) => f.endsWith(".js"));
  for (const f of js) {
    assert.ok(files.includes(f.replace(/\.js$/, ".d.ts")), `${f} has no .d.ts`);
    assert.ok(files.includes(`${f}.map`), `${f} has no source map`);
  }
});

test("the published declarations leave out @internal members", async () => {
  const dir = join(project, "node_modules", "phial");
  const leaked: string[] = [];
  for (const f of files.filter((p) => p.endsWith(".d.ts"))) {
    if ((await readFile(join(dir, f), "utf8")).includes("@internal")) leaked.push(f);
  }
  assert.deepEqual(leaked, [], "declarations that still carry @internal members");
});

test("the installed package needs no TypeScript tooling", async () => {
  const installed = JSON.parse(
    await readFile(join(project, "node_modules", "phial", "package.json"), "utf8"),
  ) as { dependencies?: Record<string, string> };
  for (const tool of ["tsx", "typescript", "esbuild"]) {
    await assert.rejects(
      readFile(join(project, "node_modules", tool, "package.json")),
      `${tool} was installed with phial`,
    );
    assert.equal(installed.dependencies?.[tool], undefined, `${tool} is a runtime dependency`);
  }
});

test("publint finds nothing to fix, strict", async () => {
  const { stdout } = await sh(BIN("publint"), ["run", tarball, "--strict"], work);
  assert.match(stdout, /All good!/);
});

test("arethetypeswrong: every entry resolves with types under node10, node16 and bundler", async () => {
  // phial is ESM-only on purpose (one copy of each class, no dual-package hazard); CommonJS
  // loads it through require(esm), which attw still flags as "dynamic import only". That one
  // rule is ignored; attw exits non-zero on any other problem.
  const { stdout } = await sh(
    BIN("attw"),
    [tarball, "--ignore-rules", "cjs-resolves-to-esm", "--no-emoji", "--no-color"],
    work,
  );
  assert.match(stdout, /No problems found/);
});

for (const { path: node, version } of NODES) {
  test(`ESM: a server on a real socket and the test client (Node ${version})`, async () => {
    const { stdout } = await sh(node, ["esm.mjs"], project);
    assert.equal(stdout.trim(), "esm ok");
  });

  test(`CommonJS: require("phial") through require(esm) (Node ${version})`, async () => {
    const { stdout, stderr } = await sh(node, ["cjs.cjs"], project);
    assert.equal(stdout.trim(), "cjs ok");
    assert.doesNotMatch(stderr, /Error/);
  });

  test(`the phial command lists routes and serves a JavaScript app (Node ${version})`, async () => {
    const cli = join(project, "node_modules", "phial", "dist", "cli", "main.js");
    const routes = await sh(node, [cli, "routes", "app.mjs"], project);
    assert.match(routes.stdout, /index\s+GET\s+\//);
    assert.match(routes.stdout, /create_item\s+POST\s+\/items/);
    await serveOnce(node, cli);
  });
}

test("the phial bin is linked and asks for tsx, by name, for a TypeScript app", async () => {
  await writeFile(join(project, "app.ts"), 'export { app } from "./app.mjs";\n');
  const bin = join(project, "node_modules", ".bin", "phial");
  const err = await sh(bin, ["routes", "app.ts"], project).then(
    () => assert.fail("a .ts app loaded without tsx"),
    (e: Error) => e.message,
  );
  assert.match(err, /npm install -D tsx/);
  const version = await sh(bin, ["--version"], project);
  const manifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  assert.match(version.stdout, new RegExp(manifest.version.replaceAll(".", "\\.")));
});

for (const config of ["tsconfig.node16.json", "tsconfig.bundler.json", "tsconfig.commonjs.json"]) {
  test(`TypeScript consumer type-checks (${config})`, async () => {
    // The repo's compiler and @types/node; the project itself has neither installed.
    await sh(
      BIN("tsc"),
      ["-p", config, "--typeRoots", join(ROOT, "node_modules", "@types")],
      project,
    );
  });
}

/** `phial run app.mjs --port 0`: waits for the banner, fetches `/`, stops it with SIGTERM. */
async function serveOnce(node: string, cli: string): Promise<void> {
  const child: ChildProcess = spawn(node, [cli, "run", "app.mjs", "--port", "0"], {
    cwd: project,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let errText = "";
  child.stderr?.on("data", (c: Buffer) => {
    errText += c.toString();
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  try {
    const url = await new Promise<string>((found, fail) => {
      child.stdout?.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /on (http:\/\/[^ ]+) /.exec(out);
        if (m?.[1]) found(m[1]);
      });
      child.on("exit", () => fail(new Error(`phial run exited early:\n${out}\n${errText}`)));
    });
    const res = await fetch(url);
    assert.equal(await res.text(), "served by phial run");
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0, `phial run did not exit cleanly on SIGTERM:\n${errText}`);
}
