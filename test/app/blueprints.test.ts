import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Blueprint, BuildError, NotFound, Phial, SetupError } from "../../src/index.ts";
import { SocketClient } from "../helpers/clients.ts";
import { silentLogger } from "../helpers/logger.ts";

/** Resolves once `n` teardown calls were recorded, since teardown runs after the response. */
function recorder() {
  const calls: string[] = [];
  let waiters: Array<() => void> = [];
  return {
    calls,
    push(call: string) {
      calls.push(call);
      for (const w of waiters) w();
      waiters = [];
    },
    async until(predicate: () => boolean) {
      while (!predicate()) await new Promise<void>((r) => waiters.push(r));
    },
  };
}

describe("blueprints", () => {
  test("routes live under the prefix with dotted endpoints; urlFor and rules() know them", async () => {
    const api = new Blueprint("api", { urlPrefix: "/api" });
    api.get("/users/<int:id>", function user(req) {
      return { id: req.params.id, endpoint: req.endpoint, blueprint: req.blueprint };
    });
    api.get("/", function index(req) {
      return { self: req.urlFor(".index"), user: req.urlFor(".user", { id: 2 }) };
    });
    const app = new Phial();
    app.get("/", function index(req) {
      return { blueprint: req.blueprint, api: req.urlFor("api.index") };
    });
    app.registerBlueprint(api);
    const client = app.testClient();

    assert.deepEqual(await (await client.get("/api/users/7")).json(), {
      id: 7,
      endpoint: "api.user",
      blueprint: "api",
    });
    assert.deepEqual(await (await client.get("/api/")).json(), {
      self: "/api/",
      user: "/api/users/2",
    });
    // Flask's join: "/api" + "/" is "/api/", so the slash-less URL redirects to it.
    const bare = await client.get("/api");
    assert.equal(bare.status, 308);
    assert.equal(bare.headers.get("location"), "/api/");
    assert.deepEqual(await (await client.get("/")).json(), { blueprint: null, api: "/api/" });
    assert.equal(app.urlFor("api.user", { id: 3, tab: "x" }), "/api/users/3?tab=x");
    assert.throws(() => app.urlFor(".user"), BuildError);
    assert.deepEqual(
      app.rules().map((r) => [r.endpoint, r.rule, r.blueprint]),
      [
        ["index", "/", null],
        ["api.user", "/api/users/<int:id>", "api"],
        ["api.index", "/api/", "api"],
      ],
    );
  });

  test("nested blueprints join prefixes and names; '.name' stays inside the child", async () => {
    const admin = new Blueprint("admin", { urlPrefix: "/admin" });
    const users = new Blueprint("users", { urlPrefix: "/users" });
    users.get("/<name>", function show(req) {
      return { me: req.urlFor(".show", { name: "ann" }), list: req.urlFor("admin.users.list") };
    });
    users.get("/", function list(req) {
      return req.endpoint ?? "";
    });
    admin.registerBlueprint(users);
    admin.get("/", function home(req) {
      return req.urlFor(".users.list");
    });
    const app = new Phial();
    app.registerBlueprint(admin);
    const client = app.testClient();
    assert.deepEqual(await (await client.get("/admin/users/bob")).json(), {
      me: "/admin/users/ann",
      list: "/admin/users/",
    });
    assert.equal(await (await client.get("/admin/users/")).text(), "admin.users.list");
    assert.equal(await (await client.get("/admin/")).text(), "/admin/users/");
    const show = app.rules().find((r) => r.endpoint === "admin.users.show");
    assert.deepEqual(show, {
      rule: "/admin/users/<name>",
      endpoint: "admin.users.show",
      methods: ["GET"],
      blueprint: "admin.users",
    });
  });

  test("the same blueprint mounts twice under different names and prefixes", async () => {
    const api = new Blueprint("api", { urlPrefix: "/api" });
    api.get("/ping", function ping(req) {
      return { endpoint: req.endpoint, url: req.urlFor(".ping") };
    });
    const app = new Phial();
    app.registerBlueprint(api, { urlPrefix: "/v1", name: "v1" });
    app.registerBlueprint(api, { urlPrefix: "/v2", name: "v2" });
    assert.throws(() => app.registerBlueprint(api, { name: "v1" }), /already registered/);
    assert.throws(() => app.registerBlueprint(new Blueprint("v2")), /already used by another/);
    const client = app.testClient();
    assert.deepEqual(await (await client.get("/v1/ping")).json(), {
      endpoint: "v1.ping",
      url: "/v1/ping",
    });
    assert.deepEqual(await (await client.get("/v2/ping")).json(), {
      endpoint: "v2.ping",
      url: "/v2/ping",
    });
    assert.equal((await client.get("/api/ping")).status, 404);
  });

  test("a registered blueprint takes no more registrations; the app refuses them once serving", async () => {
    const bp = new Blueprint("bp");
    bp.get("/a", () => "a");
    const app = new Phial();
    app.registerBlueprint(bp);
    assert.throws(() => bp.get("/b", () => "b"), SetupError);
    assert.throws(() => bp.beforeRequest(() => undefined), /already registered/);
    // A second app (a factory called twice) can still mount it.
    const again = new Phial();
    again.registerBlueprint(bp);
    assert.equal(await (await again.testClient().get("/a")).text(), "a");
    await app.testClient().get("/a");
    assert.throws(() => app.registerBlueprint(new Blueprint("late")), /first request/);
  });

  test("bad names and prefixes fail at registration with what to do", () => {
    assert.throws(() => new Blueprint("a.b"), /without dots/);
    assert.throws(() => new Blueprint(""), /non-empty/);
    assert.throws(() => new Blueprint("x", { urlPrefix: "api" }), /must start with "\/"/);
    const bp = new Blueprint("x");
    assert.throws(() => bp.registerBlueprint(bp), /on itself/);
    assert.throws(() => bp.registerBlueprint(null as unknown as Blueprint), /takes a Blueprint/);
    const app = new Phial();
    assert.throws(() => app.registerBlueprint(bp, { name: "a.b" }), /without dots/);
    assert.throws(
      () => app.registerBlueprint({ name: "fake" } as unknown as Blueprint),
      /takes a Blueprint/,
    );
  });

  test("hooks run in Flask's order and only for the blueprint's own routes", async () => {
    const log = recorder();
    const app = new Phial({ logger: silentLogger() });
    const parent = new Blueprint("parent", { urlPrefix: "/p" });
    const child = new Blueprint("child", { urlPrefix: "/c" });
    for (const [name, s] of [
      ["app", app],
      ["parent", parent],
      ["child", child],
    ] as const) {
      s.beforeRequest(() => void log.push(`before:${name}`));
      s.afterRequest((res) => {
        log.push(`after:${name}`);
        return res;
      });
      s.teardownRequest(() => log.push(`teardown:${name}`));
    }
    child.get("/x", () => {
      log.push("handler");
      return "x";
    });
    app.get("/top", () => {
      log.push("handler");
      return "top";
    });
    parent.registerBlueprint(child);
    app.registerBlueprint(parent);
    const client = app.testClient();

    assert.equal(await (await client.get("/p/c/x")).text(), "x");
    await log.until(() => log.calls.includes("teardown:app"));
    assert.deepEqual(log.calls, [
      "before:app",
      "before:parent",
      "before:child",
      "handler",
      "after:child",
      "after:parent",
      "after:app",
      "teardown:child",
      "teardown:parent",
      "teardown:app",
    ]);
    log.calls.length = 0;
    assert.equal(await (await client.get("/top")).text(), "top");
    await log.until(() => log.calls.includes("teardown:app"));
    assert.deepEqual(log.calls, ["before:app", "handler", "after:app", "teardown:app"]);
  });

  test("a blueprint's beforeRequest can answer for its routes only", async () => {
    const admin = new Blueprint("admin", { urlPrefix: "/admin" });
    admin.beforeRequest((req) => (req.headers.authorization ? undefined : ["sign in", 401]));
    admin.get("/", () => "secret");
    const app = new Phial();
    app.get("/", () => "public");
    app.registerBlueprint(admin);
    const client = app.testClient();
    assert.equal((await client.get("/admin/")).status, 401);
    assert.equal(
      await (await client.get("/admin/", { headers: { authorization: "x" } })).text(),
      "secret",
    );
    assert.equal(await (await client.get("/")).text(), "public");
  });

  test("error handlers: the blueprint's first, by status then by class, then the app's", async () => {
    class Oops extends Error {}
    class BigOops extends Oops {}
    const app = new Phial({ logger: silentLogger() });
    const bp = new Blueprint("bp", { urlPrefix: "/bp" });
    app.errorHandler(BigOops, () => ["app:BigOops", 500]);
    app.errorHandler(418, () => ["app:418", 418]);
    bp.errorHandler(Oops, () => ["bp:Oops", 500]);
    bp.get("/big", () => {
      throw new BigOops();
    });
    bp.get("/tea", () => [{ x: 1 }, 200]);
    app.get("/big", () => {
      throw new BigOops();
    });
    app.registerBlueprint(bp);
    const client = app.testClient();
    // The blueprint's handler for a parent class beats the app's exact class, as in Flask.
    assert.equal(await (await client.get("/bp/big")).text(), "bp:Oops");
    assert.equal(await (await client.get("/big")).text(), "app:BigOops");
  });

  test("a blueprint's 404 and 405 handlers answer unmatched URLs under its prefix", async () => {
    const app = new Phial();
    const api = new Blueprint("api", { urlPrefix: "/api" });
    api.errorHandler(404, (_err, req) => [
      { error: "not_found", path: req.path, bp: req.blueprint },
      404,
    ]);
    api.errorHandler(405, (err) => [{ error: "method_not_allowed", code: err.code }, 405]);
    api.get("/items", () => []);
    app.get("/", () => "home");
    app.registerBlueprint(api);
    const client = await SocketClient.start(app);
    try {
      const missing = await client.get("/api/nope/deeper");
      assert.equal(missing.status, 404);
      assert.deepEqual(await missing.json(), {
        error: "not_found",
        path: "/api/nope/deeper",
        bp: "api",
      });
      const wrong = await client.post("/api/items");
      assert.equal(wrong.status, 405);
      assert.equal(wrong.headers.get("allow"), "GET, HEAD, OPTIONS");
      assert.deepEqual(await wrong.json(), {
        error: "method_not_allowed",
        code: "method_not_allowed",
      });
      // Outside the prefix, and on a prefix that only starts alike, the site's HTML page answers.
      for (const path of ["/nope", "/apix", "/apix/y"]) {
        const page = await client.get(path);
        assert.equal(page.status, 404);
        assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
      }
    } finally {
      await client.close();
    }
  });

  test("unmatched URLs go to the deepest prefix; a prefix with a parameter matches any segment", async () => {
    const app = new Phial();
    const outer = new Blueprint("outer", { urlPrefix: "/<lang>" });
    const inner = new Blueprint("inner", { urlPrefix: "/docs" });
    outer.errorHandler(NotFound, (_e, req) => [`outer:${req.blueprint}`, 404]);
    inner.errorHandler(404, (_e, req) => [`inner:${req.blueprint}`, 404]);
    outer.get("/", () => "lang home");
    inner.get("/", () => "docs");
    outer.registerBlueprint(inner);
    app.registerBlueprint(outer);
    const client = app.testClient();
    assert.equal(await (await client.get("/en/docs/missing")).text(), "inner:outer.inner");
    assert.equal(await (await client.get("/en/other")).text(), "outer:outer");
    assert.equal(await (await client.get("/fr/")).text(), "lang home");
  });

  test("an encoded slash never moves an unmatched URL under a prefix; literal prefixes beat parameters", async () => {
    const app = new Phial();
    const lang = new Blueprint("lang", { urlPrefix: "/<lang>" });
    const api = new Blueprint("api", { urlPrefix: "/api" });
    lang.errorHandler(404, () => ["lang", 404]);
    api.errorHandler(404, () => ["api", 404]);
    lang.get("/home", () => "home");
    api.get("/x", () => "x");
    // Registered first, at the same depth: the literal prefix must still win.
    app.registerBlueprint(lang);
    app.registerBlueprint(api);
    const client = app.testClient();
    assert.equal(await (await client.get("/api/nope")).text(), "api");
    assert.equal(await (await client.get("/fr/nope")).text(), "lang");
    // One segment "api/nope", which lies under "/<lang>" only, as routing sees it.
    assert.equal(await (await client.get("/api%2Fnope")).text(), "lang");
  });

  test("a blueprint without a prefix claims no unmatched URL", async () => {
    const app = new Phial();
    const bare = new Blueprint("bare");
    bare.errorHandler(404, () => ["bare", 404]);
    bare.get("/b", () => "b");
    app.registerBlueprint(bare);
    const res = await app.testClient().get("/zzz");
    assert.equal(res.status, 404);
    assert.notEqual(await res.text(), "bare");
  });

  test("decorators register static methods on a blueprint", async () => {
    const api = new Blueprint("api", { urlPrefix: "/api" });
    class Users {
      @api.get("/me")
      static me() {
        return { me: true };
      }
    }
    const app = new Phial();
    app.registerBlueprint(api);
    assert.deepEqual(await (await app.testClient().get("/api/me")).json(), { me: true });
    assert.equal(app.urlFor("api.me"), "/api/me");
    assert.equal(typeof Users.me, "function");
  });

  test("a blueprint serves its own static folder under its prefix", async () => {
    const root = await mkdtemp(join(tmpdir(), "phial-bp-static-"));
    after(() => rm(root, { recursive: true, force: true }));
    await mkdir(join(root, "assets", "css"), { recursive: true });
    await writeFile(join(root, "assets", "css", "admin.css"), "body { color: red }");
    await writeFile(join(root, "secret.txt"), "do not serve");
    const admin = new Blueprint("admin", {
      urlPrefix: "/admin",
      staticFolder: "assets",
      rootPath: root,
    });
    admin.get("/", function home(req) {
      return req.urlFor(".static", { filename: "css/admin.css" });
    });
    assert.equal(admin.staticFolder, join(root, "assets"));
    const app = new Phial({ staticFolder: null });
    app.registerBlueprint(admin);
    assert.equal(
      app.urlFor("admin.static", { filename: "css/admin.css" }),
      "/admin/assets/css/admin.css",
    );
    const client = await SocketClient.start(app);
    try {
      assert.equal(await (await client.get("/admin/")).text(), "/admin/assets/css/admin.css");
      const css = await client.get("/admin/assets/css/admin.css");
      assert.equal(css.status, 200);
      assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
      assert.equal(await css.text(), "body { color: red }");
      for (const path of [
        "/admin/assets/../secret.txt",
        "/admin/assets/%2e%2e/secret.txt",
        "/admin/assets/..%2fsecret.txt",
      ]) {
        const res = await client.get(path);
        assert.ok(res.status === 404 || res.status === 400, `${path} -> ${res.status}`);
        assert.doesNotMatch(await res.text(), /do not serve/);
      }
    } finally {
      await client.close();
    }
    // Without rootPath, a relative folder resolves next to the module that made the blueprint.
    assert.equal(
      new Blueprint("here", { staticFolder: "s" }).staticFolder,
      join(import.meta.dirname, "s"),
    );
  });
});
