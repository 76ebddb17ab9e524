/**
 * A small JSON CRUD API: converters, abort, error handlers and hooks.
 * Run it with `npx tsx examples/todo-api.ts` and try:
 *   curl -X POST -H 'content-type: application/json' -d '{"title":"write docs"}' 127.0.0.1:5001/todos
 *   curl 127.0.0.1:5001/todos/1
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
// In your own project: import { ... } from "phial";
import { abort, HTTPError, Phial, type Request, UnprocessableContent } from "../src/index.ts";

interface Todo {
  id: number;
  title: string;
  done: boolean;
}

/** Builds a fresh app with its own store, so every test starts from zero. */
export function createApp(): Phial {
  const app = new Phial();
  const todos = new Map<number, Todo>();
  let nextId = 1;

  function readTodo(body: unknown, partial: boolean): Partial<Todo> {
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new UnprocessableContent("Send a JSON object.");
    }
    const { title, done } = body as Record<string, unknown>;
    const out: Partial<Todo> = {};
    if (title !== undefined || !partial) {
      if (typeof title !== "string" || title.trim() === "") {
        throw new UnprocessableContent('"title" must be a non-empty string.');
      }
      out.title = title.trim();
    }
    if (done !== undefined) {
      if (typeof done !== "boolean")
        throw new UnprocessableContent('"done" must be true or false.');
      out.done = done;
    }
    return out;
  }

  function find(id: number): Todo {
    return todos.get(id) ?? abort(404, `There is no todo ${id}.`);
  }

  // Hooks: time every request and tag every response.
  app.beforeRequest((req: Request) => {
    req.g.started = performance.now();
  });
  app.afterRequest((res, req) => {
    const started = req.g.started as number;
    res.headers.set("Server-Timing", `app;dur=${(performance.now() - started).toFixed(2)}`);
    return res;
  });

  // Every error of this API answers JSON, whatever the client's Accept header says.
  app.errorHandler(HTTPError, (err) => [
    { error: { status: err.status, code: err.code, message: err.description } },
    err.status,
    err.headers,
  ]);

  app.get("/todos", function listTodos(req) {
    const done = req.query.get("done");
    const all = [...todos.values()];
    return done === null ? all : all.filter((t) => String(t.done) === done);
  });

  app.post("/todos", async function createTodo(req) {
    const fields = readTodo(await req.json(), false);
    const todo: Todo = { id: nextId++, title: fields.title ?? "", done: fields.done ?? false };
    todos.set(todo.id, todo);
    return [todo, 201, { Location: app.urlFor("showTodo", { id: todo.id }) }];
  });

  app.get("/todos/<int(min=1):id>", function showTodo(req) {
    return find(req.params.id);
  });

  app.patch("/todos/<int(min=1):id>", async function updateTodo(req) {
    const todo = find(req.params.id);
    Object.assign(todo, readTodo(await req.json(), true));
    return todo;
  });

  app.delete("/todos/<int(min=1):id>", function deleteTodo(req) {
    find(req.params.id);
    todos.delete(req.params.id);
    return ["", 204];
  });

  return app;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const app = createApp();
  await app.listen({ port: Number(process.env.PORT ?? 5001) });
  console.log(`todo API on http://127.0.0.1:${app.address()?.port}/todos`);
  process.once("SIGINT", () => void app.close());
}
