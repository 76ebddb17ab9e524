/**
 * The app the malformed-input properties throw requests at: a representative set of routes
 * (every converter, wildcards, an optional group, a mixed segment, a user converter), a
 * blueprint with its own 404, hooks that read every part of the request, handlers that read
 * bodies every way, sessions, flash messages, redirects built from input, templates, urlFor with
 * input as the query string, and a static folder. Everything a handler echoes is input, so
 * nothing here may turn bad input into a 500.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { abort, Blueprint, Phial, type Request, redirect } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";

/** Limits kept small so that generated bodies and queries cross them often. */
export const LIMITS = {
  maxContentLength: 4096,
  maxFormMemorySize: 1024,
  maxFormParts: 16,
  maxQueryParams: 16,
} as const;

/** Paths with `{}` where a generated segment goes; generated targets fill them in. */
export const ROUTE_TEMPLATES: readonly string[] = [
  "/",
  "/info",
  "/users/{}",
  "/users/{}/posts/{}",
  "/files/{}",
  "/files/{}/{}/edit",
  "/docs/{}/{}",
  "/shop/{}/items",
  "/shop/items",
  "/a/{}",
  "/num/{}",
  "/u/{}",
  "/pick/{}",
  "/slug/{}",
  "/abort/{}",
  "/redirect",
  "/session",
  "/flash",
  "/hello",
  "/link",
  "/echo/json",
  "/echo/text",
  "/echo/form",
  "/echo/bytes",
  "/echo/auto",
  "/api/{}",
  "/api/items/{}",
  "/static/{}",
  "/static/sub/{}",
  "/dir/",
  "/dir",
];

/** What a hook or handler can read without a body: everything that parses request data. */
function describeRequest(req: Request): Record<string, unknown> {
  return {
    method: req.method,
    path: req.path,
    rawPath: req.rawPath,
    query: [...req.query.entries()],
    cookies: Object.entries(req.cookies),
    ip: req.ip,
    host: req.host,
    protocol: req.protocol,
    url: req.url,
    endpoint: req.endpoint,
    blueprint: req.blueprint,
    params: req.params,
    session: [...req.session.entries()],
  };
}

/**
 * A fresh app with `hooks` on (the full lifecycle, context locals) or off (the fast path), its
 * recording logger, and a cleanup for its static folder.
 */
export function fuzzApp(hooks: boolean): {
  app: Phial;
  logger: ReturnType<typeof silentLogger>;
  cleanup: () => void;
} {
  const root = mkdtempSync(path.join(tmpdir(), "phial-fuzz-"));
  mkdirSync(path.join(root, "static", "sub"), { recursive: true });
  writeFileSync(path.join(root, "static", "site.css"), "body { color: black }");
  writeFileSync(path.join(root, "static", "sub", "a.txt"), "a".repeat(1000));
  writeFileSync(path.join(root, "static", ".env"), "SECRET");
  const logger = silentLogger();
  const app = new Phial({
    rootPath: root,
    logger,
    contextLocals: hooks,
    config: {
      secretKey: "fuzz-secret-key-0123456789",
      // The test clients connect from 127.0.0.1, so X-Forwarded-* are read and parsed.
      trustProxy: ["127.0.0.1"],
      ...LIMITS,
    },
  });
  app.converters.set("slug", {
    toValue: (part) => (/^[a-z0-9-]+$/.test(part) ? part : undefined),
    toUrl: (value) => String(value),
  });

  app.get("/", () => "home");
  app.get("/info", function info(req) {
    return describeRequest(req);
  });
  app.get("/users/<int:id>", function user(req) {
    return { id: req.params.id, self: req.urlFor("user", { id: req.params.id }) };
  });
  app.get("/users/<name>", function userByName(req) {
    return { name: req.params.name, self: req.urlFor("userByName", { name: req.params.name }) };
  });
  app.get("/users/<int:id>/posts/<int(min=1, max=99):page>", (req) => req.params);
  app.get("/files/<path:p>", function file(req) {
    return { p: req.params.p, self: req.urlFor("file", { p: req.params.p }) };
  });
  app.get("/files/<path:p>/edit", (req) => req.params);
  app.get("/docs/*rest", function docs(req) {
    return { rest: req.params.rest, self: req.urlFor("docs", { rest: req.params.rest }) };
  });
  app.get("/shop{/:category}/items", function items(req) {
    return { category: req.params.category ?? null, self: req.urlFor("items", req.params) };
  });
  app.get("/a/:name.:ext", function mixed(req) {
    return { ...req.params, self: req.urlFor("mixed", req.params) };
  });
  app.get("/num/<float(signed=True):x>", (req) => ({ x: req.params.x }));
  app.get("/u/<uuid:u>", (req) => ({ u: req.params.u }));
  app.get("/pick/<any(red, blue):c>", (req) => ({ c: req.params.c }));
  app.get("/slug/<slug:s>", (req) => ({ s: req.params.s }));
  app.get("/abort/<int(min=400, max=499):code>", (req) => abort(req.params.code, req.path));
  // Where redirect() must keep input from splitting the Location header.
  app.get("/redirect", (req) => redirect(req.query.get("next") ?? "/"));
  app.get("/session", (req) => {
    req.session.set("q", req.query.get("q") ?? "");
    req.session.set("count", Number(req.session.get("count") ?? 0) + 1);
    return { session: [...req.session.entries()] };
  });
  app.get("/flash", (req) => {
    const message = req.query.get("m");
    if (message !== null) req.flash(message, req.query.get("c") ?? "message");
    return { flashes: req.getFlashedMessages({ withCategories: true }) };
  });
  // Input as template data, never as template source.
  app.get("/hello", (req) =>
    req.renderTemplateString("<p>Hello {{ name }}</p>", { name: req.query.get("name") }),
  );
  // Unknown values become the query string of the URL built.
  app.get("/link", (req) => ({ url: req.urlFor("info", Object.fromEntries(req.query.entries())) }));
  app.route("/dir/", { methods: ["GET", "POST"] }, () => "dir");

  const bodies = { methods: ["POST", "PUT", "PATCH", "DELETE"] };
  app.route("/echo/json", bodies, async (req) => ({ value: await req.json() }));
  app.route("/echo/text", bodies, async (req) => ({ text: await req.text() }));
  app.route("/echo/form", bodies, async (req) => {
    const form = await req.form();
    const files = await req.files();
    const sizes: [string, number][] = [];
    for (const [name, file] of files.entries()) sizes.push([name, (await file.bytes()).length]);
    return { form: [...form.entries()], files: sizes };
  });
  app.route("/echo/bytes", bodies, async (req) => ({ length: (await req.bytes()).length }));
  // Picks the reader from the Content-Type, as apps that accept several do.
  app.route("/echo/auto", bodies, async (req) => {
    const essence = req.mediaType?.essence;
    if (essence === "application/json" || essence?.endsWith("+json")) {
      return { json: await req.json() };
    }
    if (essence === "multipart/form-data" || essence === "application/x-www-form-urlencoded") {
      return { form: [...(await req.form()).entries()] };
    }
    return { text: await req.text() };
  });

  const api = new Blueprint("api", { urlPrefix: "/api" });
  api.get("/items/<int:id>", (req) => ({ id: req.params.id }));
  api.errorHandler(404, (err) => [{ error: (err as { code: string }).code }, 404]);
  api.errorHandler(405, (err) => [{ error: (err as { code: string }).code }, 405]);
  app.registerBlueprint(api);
  app.errorHandler(404, (_err, req) => `<h1>Not here</h1><p>${req.path.length} characters</p>`);

  if (hooks) {
    app.beforeRequest((req) => {
      // Read everything a guard might: a bad header must not fail here either.
      describeRequest(req);
      req.headers.accept?.split(",");
      if (req.query.has("stop")) return "stopped by a hook";
      return undefined;
    });
    app.afterRequest((res, req) => {
      res.headers.set("X-Endpoint", req.endpoint ?? "none");
      return res;
    });
    app.teardownRequest(() => {});
  }
  return { app, logger, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
