import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BuildError, Phial, RouteDefinitionError, SetupError } from "../../src/index.ts";

describe("registration", () => {
  test("endpoint defaults to the function name; anonymous handlers get METHOD /rule", async () => {
    const app = new Phial();
    app.get("/users/<int:id>", function showUser(req) {
      return { endpoint: req.endpoint, id: req.params.id };
    });
    app.get("/anon", (req) => ({ endpoint: req.endpoint }));
    app.post("/anon", (req) => ({ endpoint: req.endpoint }));
    const client = app.testClient();
    assert.deepEqual(await (await client.get("/users/3")).json(), { endpoint: "showUser", id: 3 });
    assert.deepEqual(await (await client.get("/anon")).json(), { endpoint: "GET /anon" });
    assert.deepEqual(await (await client.post("/anon")).json(), { endpoint: "POST /anon" });
    assert.equal(app.urlFor("GET /anon"), "/anon");
  });

  test("rules() lists every rule with its endpoint and methods, in registration order", () => {
    const app = new Phial();
    app.get("/", function index() {
      return "home";
    });
    app.route("/items/<int:id>", { methods: ["get", "PUT"], endpoint: "item" }, () => "x");
    assert.deepEqual(app.rules(), [
      { rule: "/", endpoint: "index", methods: ["GET"], blueprint: null },
      { rule: "/items/<int:id>", endpoint: "item", methods: ["GET", "PUT"], blueprint: null },
    ]);
  });

  test("another handler under a taken endpoint throws; the same handler on two rules is fine", () => {
    const app = new Phial();
    function index() {
      return "home";
    }
    app.get("/", index);
    app.get("/index", index);
    assert.equal(app.urlFor("index"), "/");
    assert.throws(() => app.get("/other", { endpoint: "index" }, () => "x"), SetupError);
    assert.throws(() => app.get("/other", { endpoint: "a.b" }, () => "x"), /without dots/);
  });

  test("bad patterns, methods and handlers fail at registration", () => {
    const app = new Phial();
    assert.throws(() => app.get("/users/<int:id", () => "x"), RouteDefinitionError);
    assert.throws(() => app.get("/x/<nope:id>", () => "x"), RouteDefinitionError);
    assert.throws(() => app.route("/x", { methods: [] }, () => "x"), SetupError);
    assert.throws(() => app.route("/x", { methods: ["GE T"] }, () => "x"), SetupError);
    assert.throws(() => app.get("/x", "nope" as never), SetupError);
    assert.throws(() => app.errorHandler(200, () => "x"), SetupError);
  });

  test("registering after the first request throws a clear SetupError", async () => {
    const app = new Phial();
    app.get("/", () => "ok");
    assert.equal((await app.testClient().get("/")).status, 200);
    assert.throws(
      () => app.get("/late", () => "late"),
      (err: unknown) => {
        assert.ok(err instanceof SetupError);
        assert.match(err.message, /Cannot register the route "\/late".*first request/);
        return true;
      },
    );
    assert.throws(() => app.beforeRequest(() => undefined), SetupError);
  });

  test("route() takes methods and an endpoint; methods are case-insensitive", async () => {
    const app = new Phial();
    app.route("/items/:id", { methods: ["get", "PUT"], endpoint: "item" }, (req) => ({
      method: req.method,
      id: req.params.id,
    }));
    const client = app.testClient();
    assert.deepEqual(await (await client.put("/items/9")).json(), { method: "PUT", id: "9" });
    assert.equal((await client.get("/items/9")).status, 200);
    assert.equal((await client.post("/items/9")).status, 405);
    assert.equal(app.urlFor("item", { id: "a b" }), "/items/a%20b");
  });

  test("TC39 decorators register static methods, bound to their class", async () => {
    const app = new Phial();
    class Admin {
      static greeting = "stats";
      @app.get("/admin/stats")
      static stats() {
        return { ok: true, from: Admin.greeting };
      }
      @app.route("/admin/users/<int:id>", { methods: ["GET", "DELETE"], endpoint: "adminUser" })
      static user(req: { params: { id: number } }) {
        // biome-ignore lint/complexity/noThisInStatic: proves the decorator binds `this` to the class
        return { id: req.params.id, self: this === Admin };
      }
    }
    const client = app.testClient();
    assert.deepEqual(await (await client.get("/admin/stats")).json(), { ok: true, from: "stats" });
    assert.deepEqual(await (await client.delete("/admin/users/5")).json(), { id: 5, self: true });
    assert.equal(app.urlFor("stats"), "/admin/stats");
    assert.equal(app.urlFor("adminUser", { id: 5 }), "/admin/users/5");
    assert.equal(typeof Admin.stats, "function");
  });

  test("decorating an instance method is refused with advice", () => {
    const app = new Phial();
    assert.throws(() => {
      class Bad {
        @app.get("/x")
        handler() {
          return "x";
        }
      }
      return Bad;
    }, /static methods only/);
  });

  test("urlFor: unknown endpoint and missing params are BuildErrors", () => {
    const app = new Phial();
    app.get("/users/<int:id>", function showUser() {
      return "x";
    });
    assert.throws(() => app.urlFor("nope"), BuildError);
    assert.throws(() => app.urlFor("showUser"), BuildError);
    assert.equal(app.urlFor("showUser", { id: 2, tab: ["a", "b"] }), "/users/2?tab=a&tab=b");
  });

  test("misused registration methods say which call to use instead", () => {
    const app = new Phial();
    const post = { methods: ["POST"] } as unknown as { endpoint: string };
    assert.throws(
      () => app.get("/x", post, () => "x"),
      /app\.get\(\) fixes the method; use app\.route\(\)/,
    );
    assert.throws(
      () => app.route("/x", {}, 42 as never),
      /The handler for "\/x" must be a function, got number\./,
    );
    assert.throws(
      () => app.errorHandler("oops" as never, () => "x"),
      /errorHandler\(\) takes a 4xx\/5xx status or an Error class\.$/,
    );
    assert.throws(
      () => app.get("/x/<9bad:name>", () => "x"),
      /"9bad" in "<9bad:name>" is not a converter name/,
    );
  });

  test("a backslash escapes a Flask angle bracket, which then matches literally", async () => {
    const app = new Phial();
    app.get("/a\\<b\\>/<int:n>", (req) => ({ n: req.params.n }));
    const res = await app.testClient().get("/a%3Cb%3E/3");
    assert.deepEqual(await res.json(), { n: 3 });
  });

  test("urlFor refuses a wildcard item that is not text and a converter that gives no text", () => {
    const app = new Phial();
    app.get("/files/*rest", function files() {
      return "f";
    });
    app.converters.set("blank", { toValue: (part: string) => part, toUrl: () => "" });
    app.get("/tags/<blank:tag>", function tag() {
      return "t";
    });
    assert.equal(app.urlFor("files", { rest: ["a", 1] }), "/files/a/1");
    assert.throws(
      () => app.urlFor("files", { rest: ["a", {}] }),
      /"rest" needs a non-empty list of non-empty strings/,
    );
    assert.throws(
      () => app.urlFor("tag", { tag: "x" }),
      (err: unknown) =>
        err instanceof BuildError && /the blank converter gave no text for "tag"/.test(err.message),
    );
  });
});
