/**
 * The HTML site blueprint, at the root, with its own stylesheet in ./assets. Its errors are the
 * default HTML pages; only the API answers JSON.
 */
// In your own project: import { ... } from "phial";
import { Blueprint, currentApp, NotFound, type Request, urlFor } from "../../src/index.ts";
import type { Note, NoteStore } from "./notes.ts";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML content and quoted attributes. */
function e(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

function page(title: string, content: string): string {
  const siteName = String(currentApp.config.siteName);
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>${e(title)} · ${e(siteName)}</title>
<link rel="stylesheet" href="${e(urlFor("site.static", { filename: "site.css" }))}">
<header><a href="${e(urlFor("site.index"))}">${e(siteName)}</a></header>
<main>${content}</main>
`;
}

function noteItem(note: Note): string {
  return `<li><a href="${e(urlFor(".showNote", { id: note.id }))}">${e(note.title)}</a></li>`;
}

export function siteBlueprint(store: NoteStore): Blueprint {
  const site = new Blueprint("site", { staticFolder: "assets" });

  site.get("/", function index() {
    const notes = store.page(1, Number(currentApp.config.pageSize));
    const list =
      notes.length === 0 ? "<p>No notes yet.</p>" : `<ul>${notes.map(noteItem).join("")}</ul>`;
    return page("Notes", `<h1>Notes</h1>${list}`);
  });

  site.get("/notes/<int(min=1):id>", function showNote(req: Request<{ id: number }>) {
    const note = store.get(req.params.id);
    if (note === undefined) throw new NotFound(`There is no note ${req.params.id}.`);
    return page(note.title, `<h1>${e(note.title)}</h1><p>${e(note.body)}</p>`);
  });

  return site;
}
