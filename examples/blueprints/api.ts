/**
 * The JSON API blueprint, under /api. Every error it answers is JSON, including 404 and 405 for
 * URLs under /api that match no route (phial lets a blueprint's handlers answer those).
 */
// In your own project: import { ... } from "phial";
import {
  Blueprint,
  currentApp,
  HTTPError,
  NotFound,
  Response,
  request,
  UnprocessableContent,
} from "../../src/index.ts";
import type { NoteStore } from "./notes.ts";

export function apiBlueprint(store: NoteStore): Blueprint {
  const api = new Blueprint("api", { urlPrefix: "/api" });

  api.errorHandler(HTTPError, (err) => [{ error: err.code, message: err.description }, err.status]);

  api.get("/notes", function listNotes() {
    // Context locals: no req needed to reach the query or the config.
    const size = Number(currentApp.config.pageSize);
    const page = Number(request.query.get("page") ?? 1);
    if (!Number.isSafeInteger(page) || page < 1) {
      throw new UnprocessableContent("page must be a whole number from 1.");
    }
    return { page, notes: store.page(page, size) };
  });

  api.post("/notes", async function createNote(req) {
    const body = await req.json();
    const { title, body: text = "" } = (body ?? {}) as Record<string, unknown>;
    if (typeof title !== "string" || title.trim() === "" || typeof text !== "string") {
      throw new UnprocessableContent(
        'Send {"title": "...", "body": "..."} with a non-empty title.',
      );
    }
    const note = store.add(title.trim(), text);
    return [note, 201, { Location: req.urlFor(".showNote", { id: note.id }) }];
  });

  api.get("/notes/<int(min=1):id>", function showNote(req) {
    const note = store.get(req.params.id);
    if (note === undefined) throw new NotFound(`There is no note ${req.params.id}.`);
    return note;
  });

  api.delete("/notes/<int(min=1):id>", function deleteNote(req) {
    if (!store.delete(req.params.id)) throw new NotFound(`There is no note ${req.params.id}.`);
    return new Response(null, { status: 204 });
  });

  return api;
}
