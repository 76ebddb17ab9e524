/**
 * The app the soak test serves: what a small real service does, in one place. JSON routes with
 * params, a JSON POST merged into defaults the naive way user code often does, a form, an
 * upload, static files, a session, a streamed answer, hooks, error handlers, and routes that
 * throw. phial's exports are passed in, as in bench/servers/phial-apps.ts: the soak gives the
 * compiled package (dist/), test/soak-app.test.ts the sources.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type * as phial from "../../src/index.ts";

/** The parts of phial's public surface the app uses. */
export type PhialKit = Pick<typeof phial, "Phial" | "HTTPError">;

/** Live counts the app keeps; the soak reads them over IPC to see that everything ends. */
export interface AppGauges {
  /** Requests past `beforeRequest` whose teardown has not run yet. */
  inFlight: number;
  /** Streamed answers whose generator has started and not finished. */
  openStreams: number;
  teardowns: number;
  /** Log calls by level: unhandled errors are logged at `error`. */
  logged: Record<string, number>;
  /** Log calls by level and text (numbers masked), for the first {@link MAX_MESSAGES} texts. */
  messages: Record<string, number>;
}

const MAX_MESSAGES = 40;

/** A log line as a short key: phial's text with numbers masked, and the error's code or message. */
function logKey(line: unknown, err: unknown): string {
  const text = String(line).replace("[phial] ", "").replace(/\d+/g, "<n>").slice(0, 120);
  if (!(err instanceof Error)) return text;
  const code = (err as NodeJS.ErrnoException).code;
  return `${text} (${code ?? err.message.replace(/\d+/g, "<n>").slice(0, 80)})`;
}

/** Sizes the normal traffic relies on; hostile clients use the larger ones. */
export const SOAK_FILES = {
  css: { name: "site.css", size: 2 * 1024 },
  image: { name: "logo.bin", size: 64 * 1024 },
  big: { name: "big.bin", size: 4 * 1024 * 1024 },
} as const;

export const SECRET_KEY = "soak-test-secret-key-not-for-production";
export const AUTH_TOKEN = "Bearer soak-token";
export const STREAM_CHUNK = 1024;

class ValidationError extends Error {}

/** Writes the static files under `root/static` (the app's default static folder). */
export function writeStaticFiles(root: string): void {
  const dir = join(root, "static");
  mkdirSync(dir, { recursive: true });
  for (const file of Object.values(SOAK_FILES)) {
    const bytes = Buffer.alloc(file.size);
    for (let i = 0; i < bytes.length; i++) bytes[i] = 97 + (i % 26);
    writeFileSync(join(dir, file.name), bytes);
  }
}

/**
 * Copies `source` into `target` key by key, recursing into objects: the merge that turns an
 * unchecked `__proto__` key into a polluted `Object.prototype`, so the soak would see it.
 */
function naiveMerge(target: Record<string, unknown>, source: unknown): Record<string, unknown> {
  if (source === null || typeof source !== "object") return target;
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (value !== null && typeof value === "object" && current !== null) {
      target[key] = naiveMerge(
        typeof current === "object" ? (current as Record<string, unknown>) : {},
        value,
      );
    } else {
      target[key] = value;
    }
  }
  return target;
}

/** Whether anything was ever added to `Object.prototype` in this process. */
function prototypeIsClean(): boolean {
  const probe: Record<string, unknown> = {};
  return Object.keys(Object.prototype).length === 0 && probe.polluted === undefined;
}

/**
 * Builds the soak app rooted at `root` (its `static` folder must exist, see
 * {@link writeStaticFiles}).
 */
export function createSoakApp(kit: PhialKit, root: string, gauges: AppGauges): phial.Phial {
  const count =
    (level: string) =>
    (line: unknown, err?: unknown): void => {
      gauges.logged[level] = (gauges.logged[level] ?? 0) + 1;
      const key = `${level}: ${logKey(line, err)}`;
      if (key in gauges.messages || Object.keys(gauges.messages).length < MAX_MESSAGES) {
        gauges.messages[key] = (gauges.messages[key] ?? 0) + 1;
      }
    };
  const logger = {
    error: count("error"),
    warn: count("warn"),
    info: count("info"),
    debug: count("debug"),
  };
  const app = new kit.Phial({ rootPath: root, config: { secretKey: SECRET_KEY }, logger });
  let nextItem = 1;

  app.beforeRequest((req) => {
    gauges.inFlight++;
    req.g.counted = true;
    req.g.started = performance.now();
    if (req.path.startsWith("/private") && req.headers.authorization !== AUTH_TOKEN) {
      return [{ error: "Sign in first." }, 401];
    }
    return undefined;
  });
  app.afterRequest((res, req) => {
    res.headers.set("X-Soak", String(Math.round(performance.now() - (req.g.started as number))));
    return res;
  });
  // Some answers (a malformed path) are made before any hook runs, and still tear down.
  app.teardownRequest((_err, req) => {
    if (req.g.counted === true) gauges.inFlight--;
    gauges.teardowns++;
  });
  app.errorHandler(404, (err) => ({ error: "not_found", description: err.description }));
  app.errorHandler(ValidationError, (err) => [{ error: err.message }, 422]);

  app.get("/api/users/<int:id>", (req) => ({ id: req.params.id, name: `user${req.params.id}` }));
  app.get("/api/users/:user/posts/:slug", (req) => ({
    user: req.params.user,
    slug: req.params.slug,
    fields: req.query.getAll("fields"),
  }));
  app.post("/api/items", async (req) => {
    const item = naiveMerge({ tags: [], meta: { source: "api" } }, await req.json());
    if (typeof item.name !== "string") throw new ValidationError('"name" must be a string.');
    return [{ id: nextItem++, ...item }, 201];
  });
  app.get("/api/clean", () => ({ clean: prototypeIsClean() }));
  app.post("/form", async (req) => {
    const form = await req.form();
    const fields = Object.assign({}, Object.fromEntries(form.entries()));
    return { fields, count: [...form.keys()].length };
  });
  app.post("/upload", async (req) => {
    const form = await req.form();
    const file = (await req.files()).get("file");
    if (file === null) throw new ValidationError('Send a file as "file".');
    const bytes = await file.bytes();
    let sum = 0;
    for (const byte of bytes) sum = (sum + byte) % 65_521;
    return [{ title: form.get("title"), filename: file.filename, size: bytes.length, sum }, 201];
  });
  app.post("/session/visit", (req) => {
    const visits = ((req.session.get("visits") as number | undefined) ?? 0) + 1;
    req.session.set("visits", visits);
    return { visits };
  });
  app.get("/stream", (req) => {
    const chunks = Math.min(Number(req.query.get("chunks") ?? 16), 100_000);
    return streamChunks(chunks, gauges);
  });
  app.get("/private/report", () => ({ report: "ok" }));
  app.get("/boom", () => {
    throw new Error("The soak's /boom route throws on purpose.");
  });
  app.get("/boom-async", async () => {
    await Promise.resolve();
    throw new Error("The soak's /boom-async route rejects on purpose.");
  });
  app.get("/api/orders/<int:id>", (req) => {
    throw new kit.HTTPError(410, `Order ${req.params.id} was archived.`);
  });
  return app;
}

async function* streamChunks(n: number, gauges: AppGauges): AsyncGenerator<string> {
  gauges.openStreams++;
  try {
    const chunk = "x".repeat(STREAM_CHUNK - 1);
    for (let i = 0; i < n; i++) {
      // A pause now and then, as a real producer (a query, a file) has.
      if (i % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
      yield `${chunk}\n`;
    }
  } finally {
    gauges.openStreams--;
  }
}

export function newGauges(): AppGauges {
  return { inFlight: 0, openStreams: 0, teardowns: 0, logged: {}, messages: {} };
}
