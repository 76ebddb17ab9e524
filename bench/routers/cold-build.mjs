// One cold phial route-table build, for scaling.ts: run as a fresh `node` process (plain node, no
// tsx loader, so nothing but phial's compiled dist/ code runs). Reads `{ routes, target }` as JSON
// on stdin, imports phial's routing modules, then times the first and only build in the process:
// converters + table + compilePattern/add of every route + freeze + one lookup of `target`.
// Prints `{ "ms": <build time>, "importMs": <module import time>, "found": <target id or null> }`.
import { readFileSync } from "node:fs";

const input = JSON.parse(readFileSync(0, "utf8"));

const i0 = process.hrtime.bigint();
const { defaultConverters } = await import("../../dist/routing/converters.js");
const { compilePattern } = await import("../../dist/routing/pattern.js");
const { RouteTable } = await import("../../dist/routing/table.js");
const i1 = process.hrtime.bigint();

const t0 = process.hrtime.bigint();
const converters = defaultConverters();
const table = new RouteTable();
for (const r of input.routes) table.add(compilePattern(r.pattern, converters), [r.method], r.id);
table.freeze();
const match = table.match(input.target.method, input.target.path);
const t1 = process.hrtime.bigint();

process.stdout.write(
  JSON.stringify({
    ms: Number(t1 - t0) / 1e6,
    importMs: Number(i1 - i0) / 1e6,
    found: match.type === "found" ? match.value : null,
  }),
);
