// phial's API reference, built by TypeDoc from the doc comments of the public entry points.
//
//   node tools/docs/docs.mjs build            HTML into docs/api/, and the check below
//   node tools/docs/docs.mjs check [entry...]  the check only (default: src/index.ts, src/testing.ts)
//
// The check fails (exit 1) and lists `name (file:line): what is missing` for:
// - a public declaration with no doc comment: TypeDoc's own `validation.notDocumented` over the
//   kinds in typedoc.json's `requiredToBeDocumented`, which takes in class members and the members
//   of exported interfaces and object types. A setter counts as documented by its getter's comment;
//   TypeScript shows that one comment for both.
// - a top-level export with no `@example` (on the declaration or, for a function, a signature);
// - a `{@link}` TypeDoc cannot resolve, or one that resolves to something not in the reference;
// - any other TypeDoc warning or error (a type the reference names but does not include, a code
//   block in a language it cannot highlight, ...), printed as TypeDoc words it.
//
// typedoc.json notes (JSON has no comments): `skipErrorChecking` because `npm run typecheck`
// (TypeScript 7) is the type check, TypeDoc's TypeScript 6 would only repeat it slower;
// `excludeProtected` because the only protected members are the test client's plumbing and
// Scaffold's registration hooks; `intentionallyNotExported` lists types public signatures use but
// the package does not export (type-level helpers, and a few the lead may want to export).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureInstalled } from "./setup.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

const [mode, ...entries] = process.argv.slice(2);
if (mode !== "build" && mode !== "check") {
  console.error("usage: node tools/docs/docs.mjs build | check [entry.ts ...]");
  process.exit(2);
}
if (mode === "build" && entries.length > 0) {
  console.error("build takes no entry points; it documents the package's own (typedoc.json).");
  process.exit(2);
}

try {
  ensureInstalled();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
// Only after the install: the import fails while tools/docs/node_modules is missing.
const td = await import("typedoc");

/** Records TypeDoc's messages instead of printing them, each with its source position if known. */
class RecordingLogger extends td.Logger {
  messages = [];
  #where;

  addContext(message, _level, ...args) {
    // TypeDoc passes a TS node, or a position and a source file, for comment problems.
    const [first, second] = args;
    const file = typeof first === "number" ? second : first?.getSourceFile?.();
    if (file !== undefined) {
      const pos = typeof first === "number" ? first : first.getStart(file, false);
      const { line } = file.getLineAndCharacterOfPosition(pos);
      this.#where = `${relative(file.fileName)}:${line + 1}`;
    }
    return message;
  }

  log(message, level) {
    super.log(message, level);
    if (level >= td.LogLevel.Warn) this.messages.push({ message, level, where: this.#where });
    this.#where = undefined;
  }
}

function relative(file) {
  return path.relative(root, file).split(path.sep).join("/");
}

const app = await td.Application.bootstrapWithPlugins(
  {
    options: path.join(here, "typedoc.json"),
    // Messages are matched below by their English wording.
    lang: "en",
    // Other entry points reach none of the package's own exceptions.
    ...(entries.length > 0
      ? { entryPoints: entries.map((e) => path.resolve(e)), intentionallyNotExported: [] }
      : {}),
  },
  [new td.TypeDocReader(), new td.TSConfigReader()],
);
if (app.logger.hasErrors()) process.exit(1);
const logger = new RecordingLogger();
app.logger = logger;

const project = await app.convert();
if (project === undefined) {
  report(logger.messages.map(({ message, where }) => `${where ?? "TypeDoc"}: ${message}`));
  process.exit(1);
}
app.validate(project);

const problems = [];
for (const { message, where } of logger.messages.splice(0)) {
  const problem = describe(message, where);
  if (problem !== null) problems.push(problem);
}
problems.push(...missingExamples(project));

if (mode === "build") {
  // A failing check still writes the pages, so the gaps can be seen in place.
  const out = path.join(root, "docs/api");
  await app.generateOutputs(project);
  for (const { message } of logger.messages.splice(0)) problems.push(`TypeDoc: ${message}`);
  if (problems.length === 0) console.log(`API reference written to ${relative(out)}/index.html`);
}
const unique = [...new Set(problems)].sort((a, b) => order(a) - order(b) || compare(a, b));
report(unique);
process.exitCode = unique.length > 0 ? 1 : 0;
if (mode === "check" && unique.length === 0) {
  const count = topLevel(project).length;
  console.log(`docs:check passed: ${count} exports of ${listEntries()}, each with an example.`);
}

function listEntries() {
  return app.options
    .getValue("entryPoints")
    .map((e) => relative(e))
    .join(", ");
}

/** TypeDoc's own messages first, then by file and line. */
function order(problem) {
  return problem.startsWith("TypeDoc:") ? 0 : 1;
}

function compare(a, b) {
  const [fa = "", la = "0"] = /\(([^()]*):(\d+)\):/.exec(a)?.slice(1) ?? [];
  const [fb = "", lb = "0"] = /\(([^()]*):(\d+)\):/.exec(b)?.slice(1) ?? [];
  return fa.localeCompare(fb) || Number(la) - Number(lb) || a.localeCompare(b);
}

function report(lines) {
  if (lines.length === 0) return;
  console.error(`API docs check failed: ${lines.length} problem(s) in ${listEntries()}`);
  for (const line of lines) console.error(`  ${line}`);
}

/** Rewords one TypeDoc message as `name (file:line): what is missing`; null to drop it. */
function describe(message, where) {
  const undocumented = /^(.+) \((\w+)\), defined in .+, does not have any documentation$/.exec(
    message,
  );
  if (undocumented !== null) {
    const [, name, kind] = undocumented;
    const ref = find(name, td.ReflectionKind[kind]);
    if (kind === "SetSignature" && ref?.parent?.getSignature?.hasComment()) return null;
    const what = {
      SetSignature: "the setter has no doc comment",
      GetSignature: "the getter has no doc comment",
    };
    return `${name} (${at(ref)}): ${what[kind] ?? "no doc comment"}`;
  }
  const unresolved =
    /^Failed to resolve link to "(.+)" in comment for (.+?)(\. You may have .*)?$/.exec(message);
  if (unresolved !== null) {
    const [, target, name, hint] = unresolved;
    return `${name} (${at(find(name))}): {@link ${target}} does not resolve${hint ?? ""}`;
  }
  const excluded =
    /^The comment for (.+) links to "(.+)" which was resolved but is not included/.exec(message);
  if (excluded !== null) {
    const [, name, target] = excluded;
    return `${name} (${at(find(name))}): {@link ${target}} points outside the reference (not exported)`;
  }
  return `${where ?? "TypeDoc"}: ${message}`;
}

/** The exports of each entry point, re-exports of the same declaration left out. */
function topLevel(project) {
  // One entry point gives a project without modules; several give one module each.
  const modules = project.children?.every((c) => c.kindOf(td.ReflectionKind.Module))
    ? project.children
    : [project];
  return modules.flatMap((mod) =>
    (mod.children ?? []).filter((child) => !child.kindOf(td.ReflectionKind.Reference)),
  );
}

/** Top-level exports whose comment carries no `@example`. */
function missingExamples(project) {
  const found = [];
  for (const child of topLevel(project)) {
    // A function's comment lives on its signatures; a typed constant's on its type's.
    const typeDecl = child.type?.type === "reflection" ? child.type.declaration : undefined;
    const comments = [
      child.comment,
      ...(child.signatures ?? []),
      ...(typeDecl?.signatures ?? []),
    ].map((c) => (c instanceof td.Comment ? c : c?.comment));
    if (!comments.some((c) => c?.getTag("@example") !== undefined)) {
      found.push(`${child.getFriendlyFullName()} (${at(child)}): no @example`);
    }
  }
  return found;
}

/** The reflection TypeDoc named in a message, preferring the given kind. */
function find(name, kind) {
  const all = Object.values(project.reflections).filter((r) => r.getFriendlyFullName() === name);
  return all.find((r) => kind === undefined || r.kind === kind) ?? all[0];
}

function at(ref) {
  const source = ref?.sources?.[0] ?? ref?.parent?.sources?.[0];
  return source === undefined
    ? "unknown location"
    : `${relative(source.fullFileName)}:${source.line}`;
}
