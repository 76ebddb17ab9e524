// `npm run coverage`: runs the whole test suite once with V8 coverage on, then reports the line,
// branch and function coverage of src/ and fails when lines fall below LINES_THRESHOLD.
// `node scripts/coverage.mjs test/a.test.ts ...` runs only those files (the threshold still
// applies); `--report-only` rebuilds the report from the last run's data.
//
// Why not `c8 npm run test:unit`: c8 merges the raw V8 byte ranges of every process by file URL
// and only then applies one source map per file. tsx does not transform a .ts file to the same
// JavaScript in every process (a process started with `--import tsx` that registers tsx again,
// as phial's CLI does, gets different output), so c8 lays one process's byte counts over another
// process's code and reports wrong lines. Here raw ranges are merged only between processes that
// ran the same generated code (same URL and same source map); each such group is mapped to the
// TypeScript source on its own, and the results are merged per original statement.
//
// tsx's esbuild also injects code of its own (a `static { __name(this, ...) }` block in every
// class, export getters in CommonJS output) and maps it to line 1, column 0 of the .ts file. Taken
// at face value, such a range claims lines 1 to N ran, or did not; those ranges are left out.
// And esbuild strips whitespace, so a range that covers a whole statement maps to the text of
// the line without its indentation, and v8-to-istanbul (which wants the whole line inside the
// range) would leave, say, a `return` after an early return counted as run. Ranges are widened
// over the whitespace at either end of their lines, as they would be in unminified code.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire, SourceMap } from "node:module";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The one place the threshold lives: percentage of src/ lines the suite must execute. Lines are
 * counted as c8 counts them (comments and blank lines too). Measured 99.1% when it was set; 98
 * leaves room for a few timing-dependent lines and a small change that lands with fewer tests.
 */
const LINES_THRESHOLD = 98;
const WORST_FILES = 20;

const require = createRequire(import.meta.url);
// c8's own dependencies; listed as devDependencies so they do not depend on c8's tree.
const { mergeScriptCovs } = require("@bcoe/v8-coverage");
const v8ToIstanbul = require("v8-to-istanbul");
const libCoverage = require("istanbul-lib-coverage");
const libReport = require("istanbul-lib-report");
const reports = require("istanbul-reports");

const root = fileURLToPath(new URL("..", import.meta.url));
const src = join(root, "src") + sep;
const outDir = join(root, "coverage");
const rawDir = join(outDir, "v8");

let testsFailed = false;
if (!process.argv.includes("--report-only")) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(rawDir, { recursive: true });
  testsFailed = (await runSuite()) !== 0;
}
const coverageMap = await buildCoverageMap();
report(coverageMap);
const lines = coverageMap.getCoverageSummary().lines.pct;
if (lines < LINES_THRESHOLD) {
  console.error(
    `\nLine coverage of src/ is ${lines}%, below the threshold of ${LINES_THRESHOLD}%.`,
  );
}
if (testsFailed) console.error("\nThe test suite failed.");
process.exitCode = testsFailed || lines < LINES_THRESHOLD ? 1 : 0;

/** Runs the suite as `npm run test:unit` does; child processes inherit the coverage setting. */
function runSuite() {
  const chosen = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const files =
    chosen.length > 0
      ? chosen
      : readdirSync(join(root, "test"), { recursive: true })
          .filter((f) => f.endsWith(".test.ts"))
          .map((f) => join("test", f))
          .sort();
  const env = {
    ...process.env,
    NODE_V8_COVERAGE: rawDir,
    // Without it Node leaves the source maps out of the coverage files, and tsx's output cannot
    // be mapped back to the .ts source.
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --enable-source-maps`.trim(),
  };
  const args = ["--import", "tsx", "--test", "--test-reporter=spec", ...files];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: "inherit" });
  return new Promise((done) => child.on("exit", (code, signal) => done(signal ? 1 : code)));
}

/** Groups every process's coverage of src/ by generated code, then maps each group once. */
async function buildCoverageMap() {
  const groups = new Map();
  let unmapped = 0;
  for (const name of readdirSync(rawDir)) {
    const data = JSON.parse(readFileSync(join(rawDir, name), "utf8"));
    const maps = data["source-map-cache"] ?? {};
    for (const script of data.result) {
      if (!script.url.startsWith("file:")) continue;
      const path = fileURLToPath(script.url);
      if (!path.startsWith(src)) continue;
      const cached = maps[script.url];
      if (cached?.data == null || cached.lineLengths == null) {
        throw new Error(`${script.url} has no source map in ${name}: cannot map it to TypeScript`);
      }
      // A process that loads a file twice (as ESM and, through require, as CommonJS) records
      // one source map for the URL: the other copy's code is unknown and cannot be mapped.
      const length = cached.lineLengths.reduce((sum, n) => sum + n + 1, -1);
      if (script.functions[0]?.ranges[0]?.endOffset !== length) {
        unmapped++;
        continue;
      }
      const identity = createHash("sha256")
        .update(JSON.stringify([cached.lineLengths, cached.data.mappings]))
        .digest("hex");
      const key = `${path}\0${identity}`;
      const group = groups.get(key) ?? { path, cached, scripts: [] };
      group.scripts.push(script);
      groups.set(key, group);
    }
  }
  if (unmapped > 0) {
    console.log(
      `\nLeft out ${unmapped} loads of src/ files whose generated code has no source map.`,
    );
  }
  const map = libCoverage.createCoverageMap();
  for (const { path, cached, scripts } of groups.values()) {
    const merged = mergeScriptCovs(scripts);
    const functions = withoutInjectedCode(merged.functions, cached, path);
    // v8-to-istanbul needs the generated code only for its line lengths.
    const source = cached.lineLengths.map((n) => `${".".repeat(n)}\n`).join("");
    // CommonJS output maps some code to a made-up source, `<define:import.meta>`: not a file.
    const notOurs = (file) => !file.startsWith(src) || !existsSync(file);
    const sources = { source, sourceMap: { sourcemap: cached.data } };
    const converter = v8ToIstanbul(path, 0, sources, notOurs);
    await converter.load();
    widenOverWhitespace(converter, readFileSync(path, "utf8"), functions);
    converter.applyCoverage(functions);
    map.merge(converter.toIstanbul());
  }
  // A module that no test imports has no coverage data at all; name it rather than hide it.
  const seen = new Set(map.files());
  const unloaded = readdirSync(src, { recursive: true })
    .filter((f) => f.endsWith(".ts") && !seen.has(resolve(src, f)))
    .map((f) => join("src", f));
  if (unloaded.length > 0) {
    // Type-only modules belong here: nothing of theirs runs. Any other file is untested.
    console.log(`\nsrc/ files no test loaded (so not counted): ${unloaded.join(", ")}`);
  }
  return map;
}

/**
 * Drops the functions esbuild generated (their first range starts at code mapped to 1:0), and
 * any block range that starts there.
 */
function withoutInjectedCode(functions, cached, path) {
  // Real code at 1:0 would be dropped too, so refuse files that start with some.
  const first = readFileSync(path, "utf8").split("\n", 1)[0];
  if (!/^(import\b|export (type\b|\{|\*)|\/\/|\/\*|#!|\s*$)/.test(first)) {
    throw new Error(`${path} starts with code; begin it with an import or a comment line`);
  }
  const map = new SourceMap(cached.data);
  const starts = [];
  let offset = 0;
  for (const n of cached.lineLengths) {
    starts.push(offset);
    offset += n + 1;
  }
  const injected = ({ startOffset }) => {
    if (startOffset === 0) return false;
    let line = starts.length - 1;
    while (starts[line] > startOffset) line--;
    const entry = map.findEntry(line, startOffset - starts[line]);
    return entry.originalLine === 0 && entry.originalColumn === 0;
  };
  const kept = [];
  for (const fn of functions) {
    if (injected(fn.ranges[0])) continue;
    kept.push({ ...fn, ranges: fn.ranges.filter((r, i) => i === 0 || !injected(r)) });
  }
  return kept;
}

/**
 * Wraps v8-to-istanbul's range mapping (a private method, so v8-to-istanbul's version is pinned):
 * a block range starts back over the whitespace before it, as V8's would in unminified code,
 * where a block starts right after the token before it. A function's range starts at its first
 * token there too, so it is left alone. Either range ends after the whitespace that ends its line.
 */
function widenOverWhitespace(converter, text, functions) {
  const remap = converter._maybeRemapStartColEndCol;
  if (typeof remap !== "function") throw new Error("v8-to-istanbul changed: update coverage.mjs");
  const functionRanges = new Set(functions.map((fn) => fn.ranges[0]));
  converter._maybeRemapStartColEndCol = (range, ...rest) => {
    const mapped = remap.call(converter, range, ...rest);
    if (!functionRanges.has(range)) {
      while (mapped.startCol > 0 && /\s/.test(text[mapped.startCol - 1])) mapped.startCol--;
    }
    const last = lineAt(mapped.covSource.lines, mapped.endCol);
    if (last && /^\s*$/.test(text.slice(mapped.endCol, last.endCol))) mapped.endCol = last.endCol;
    return mapped;
  };
}

function lineAt(lines, offset) {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (offset < lines[mid].startCol) hi = mid - 1;
    else if (offset > lines[mid].endCol) lo = mid + 1;
    else return lines[mid];
  }
  return undefined;
}

function report(coverageMap) {
  const context = libReport.createContext({ dir: outDir, coverageMap });
  for (const name of ["html", "lcovonly", "json"]) reports.create(name).execute(context);
  console.log(
    `\nReports written to ${relative(process.cwd(), outDir) || "."}/ (html, lcov.info, coverage-final.json).`,
  );
  const rows = coverageMap.files().map((file) => {
    const s = coverageMap.fileCoverageFor(file).toSummary();
    return { file: relative(root, file), s, missed: s.lines.total - s.lines.covered };
  });
  rows.sort((a, b) => b.missed - a.missed || a.file.localeCompare(b.file));
  const pct = (m) => `${m.pct.toFixed(1)}%`.padStart(7);
  console.log(`\nThe ${WORST_FILES} files with the most uncovered lines:`);
  console.log(`${"file".padEnd(36)} missed   lines branches    funcs`);
  for (const { file, s, missed } of rows.slice(0, WORST_FILES)) {
    const cols = [s.lines, s.branches, s.functions].map(pct).join("  ");
    console.log(`${file.padEnd(36)} ${String(missed).padStart(6)} ${cols}`);
  }
  reports.create("text-summary").execute(context);
}
