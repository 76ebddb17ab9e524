import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  flash,
  getFlashedMessages,
  NotFound,
  Phial,
  type PhialOptions,
  type Session,
  type SessionInterface,
  session,
  TrackedSession,
} from "../src/index.ts";
import { TestClient } from "../src/testing.ts";
import { silentLogger } from "./helpers/logger.ts";
import { nowSeconds, signSession } from "./helpers/session-cookie.ts";

const KEY = "test-secret-key-0123456789";

function makeApp(config: PhialOptions["config"] = {}, options: PhialOptions = {}) {
  const logger = silentLogger();
  const app = new Phial({
    staticFolder: null,
    logger,
    ...options,
    config: { secretKey: KEY, ...config },
  });
  app.get("/set/<key>/<value>", (req) => {
    req.session.set(req.params.key, req.params.value);
    return "set";
  });
  app.get("/get/<key>", (req) => ({ value: req.session.get(req.params.key) ?? null }));
  app.get("/has/<key>", (req) => ({ has: req.session.has(req.params.key) }));
  app.get("/size", (req) => ({ size: req.session.size }));
  app.get("/untouched", () => "nothing");
  app.get("/permanent", (req) => {
    req.session.permanent = true;
    req.session.set("kept", "yes");
    return "ok";
  });
  app.get("/clear", (req) => {
    req.session.clear();
    return "cleared";
  });
  app.get("/delete/<key>", (req) => ({ deleted: req.session.delete(req.params.key) }));
  return { app, logger, client: new TestClient(app) };
}

function setCookieOf(res: { headers: Headers }): string | undefined {
  return res.headers.getSetCookie().find((line) => line.startsWith("session="));
}

describe("sessions", () => {
  it("round-trips values through the signed cookie", async () => {
    const { client } = makeApp();
    const set = await client.get("/set/user/ada");
    const line = setCookieOf(set);
    assert.ok(line, "a cookie is sent when the session changes");
    assert.match(line, /; Path=\//);
    assert.match(line, /; HttpOnly/);
    assert.match(line, /; SameSite=Lax/);
    assert.doesNotMatch(line, /Max-Age|Expires|Secure|Domain|Partitioned/);
    assert.equal(set.headers.get("vary"), "Cookie");
    assert.deepEqual((await client.get("/get/user")).json(), { value: "ada" });
    assert.deepEqual((await client.get("/size")).json(), { size: 1 });
  });

  it("sends the cookie only when the session changed, and Vary: Cookie when it was read", async () => {
    const { client } = makeApp();
    await client.get("/set/user/ada");
    for (const path of ["/get/user", "/has/user", "/size", "/delete/nope"]) {
      const res = await client.get(path);
      assert.equal(setCookieOf(res), undefined, path);
      assert.equal(res.headers.get("vary"), "Cookie", path);
    }
    const untouched = await client.get("/untouched");
    assert.equal(untouched.headers.get("vary"), null);
    assert.equal(setCookieOf(untouched), undefined);
  });

  it("adds Cookie to an existing Vary once, also on the hook path", async () => {
    const { app, client } = makeApp();
    app.afterRequest((res) => {
      res.headers.append("Vary", "Accept");
      return res;
    });
    app.get("/vary", (req) => {
      req.session.get("x");
      return "v";
    });
    assert.equal((await client.get("/vary")).headers.get("vary"), "Accept, Cookie");
    assert.equal((await client.get("/untouched")).headers.get("vary"), "Accept");
  });

  it("saves the session of an error response and of an async handler", async () => {
    const { app, client } = makeApp();
    app.get("/fail", (req) => {
      req.session.set("tried", "1");
      throw new NotFound();
    });
    app.get("/async", async (req) => {
      await new Promise((resolve) => setImmediate(resolve));
      req.session.set("async", "1");
      return { ok: true };
    });
    assert.equal((await client.get("/fail")).status, 404);
    assert.deepEqual((await client.get("/get/tried")).json(), { value: "1" });
    await client.get("/async");
    assert.deepEqual((await client.get("/get/async")).json(), { value: "1" });
  });

  it("clearing or emptying the session removes the cookie", async () => {
    const { client } = makeApp();
    await client.get("/set/user/ada");
    const cleared = await client.get("/clear");
    assert.match(setCookieOf(cleared) ?? "", /^session=; .*Max-Age=0/);
    assert.equal(client.cookies.has("session"), false);

    await client.get("/set/user/ada");
    const deleted = await client.get("/delete/user");
    assert.deepEqual(deleted.json(), { deleted: true });
    assert.match(setCookieOf(deleted) ?? "", /Max-Age=0/);
    assert.equal(client.cookies.has("session"), false);
  });

  it("a permanent session gets Max-Age and Expires from permanentSessionLifetime", async () => {
    const { client } = makeApp({ permanentSessionLifetime: 3600 });
    const res = await client.get("/permanent");
    const line = setCookieOf(res) ?? "";
    assert.match(line, /; Max-Age=3600/);
    const expires = /Expires=([^;]+)/.exec(line)?.[1];
    assert.ok(expires);
    const delta = Date.parse(expires) - Date.now();
    assert.ok(delta > 3590_000 && delta <= 3600_000, `expires in ${delta} ms`);
  });

  it("refreshes a permanent session on each request that uses it, unless turned off", async () => {
    const { client } = makeApp();
    await client.get("/permanent");
    assert.ok(setCookieOf(await client.get("/get/kept")), "refreshed");
    assert.equal(setCookieOf(await client.get("/untouched")), undefined, "not opened");

    const off = makeApp({ sessionRefreshEachRequest: false });
    await off.client.get("/permanent");
    assert.equal(setCookieOf(await off.client.get("/get/kept")), undefined);
  });

  it("enforces the lifetime on the server from the signed issued-at", async () => {
    const { client } = makeApp({ permanentSessionLifetime: 600 });
    const cases: [string, number, boolean, string | null][] = [
      ["permanent, fresh", nowSeconds() - 590, true, "v"],
      ["permanent, expired", nowSeconds() - 610, true, null],
      ["browser session, expired too", nowSeconds() - 610, false, null],
      ["browser session, fresh", nowSeconds() - 5, false, "v"],
      ["a clock up to a minute ahead is tolerated", nowSeconds() + 30, false, "v"],
      ["issued two minutes ahead", nowSeconds() + 120, false, null],
      ["issued in the future", nowSeconds() + 3600, false, null],
    ];
    for (const [name, iat, permanent, expected] of cases) {
      const cookie = signSession({ iat, permanent, data: { k: "v" } }, KEY);
      const res = await client.get("/get/k", { headers: { Cookie: `session=${cookie}` } });
      assert.equal(res.status, 200, name);
      assert.deepEqual(res.json(), { value: expected }, name);
    }
  });

  it("verifies with fallback keys and re-signs with the current key", async () => {
    const old = signSession({ iat: nowSeconds(), permanent: false, data: { user: "ada" } }, "old");
    const { client } = makeApp({ secretKeyFallbacks: ["older", "old"] });
    client.setCookie("session", old);
    assert.deepEqual((await client.get("/get/user")).json(), { value: "ada" });
    const res = await client.get("/set/role/admin");
    const value = client.cookies.get("session") ?? "";
    assert.ok(setCookieOf(res));
    const json = Buffer.from(value.slice(0, value.lastIndexOf(".")), "base64url").toString();
    assert.equal(value, signSession(json, KEY), "signed with the current key");

    const withoutFallback = makeApp();
    withoutFallback.client.setCookie("session", old);
    assert.deepEqual((await withoutFallback.client.get("/get/user")).json(), { value: null });
    withoutFallback.client.setCookie("session", value);
    assert.deepEqual((await withoutFallback.client.get("/get/role")).json(), { value: "admin" });
  });

  it("takes every cookie attribute from the config", async () => {
    const { client } = makeApp({
      sessionCookieName: "sid",
      sessionCookieDomain: "example.test",
      sessionCookiePath: "/app",
      sessionCookieHttpOnly: false,
      sessionCookieSecure: true,
      sessionCookieSameSite: "Strict",
      sessionCookiePartitioned: true,
    });
    const res = await client.get("/set/a/b");
    const line = res.headers.getSetCookie().find((l) => l.startsWith("sid=")) ?? "";
    assert.match(line, /; Domain=example\.test/);
    assert.match(line, /; Path=\/app/);
    assert.match(line, /; Secure/);
    assert.match(line, /; SameSite=Strict/);
    assert.match(line, /; Partitioned/);
    assert.doesNotMatch(line, /HttpOnly/);

    const none = makeApp({ sessionCookieSameSite: null });
    assert.doesNotMatch(setCookieOf(await none.client.get("/set/a/b")) ?? "", /SameSite/);
  });

  it("without a secret key the session is the read-only NullSession", async () => {
    const logger = silentLogger();
    const app = new Phial({ staticFolder: null, logger });
    app.get("/read", (req) => ({
      value: req.session.get("x") ?? null,
      flashes: req.getFlashedMessages(),
    }));
    app.get("/write", (req) => {
      req.session.set("x", 1);
      return "never";
    });
    const client = new TestClient(app);
    const read = await client.get("/read");
    assert.deepEqual(read.json(), { value: null, flashes: [] });
    assert.equal(read.headers.get("vary"), null);
    assert.equal((await client.get("/write")).status, 500);
    assert.match(String(logger.errors[0]?.[1].err), /no secret key is set/);
  });

  it("a value JSON cannot hold is a 500 that is logged; a big cookie draws a warning", async () => {
    const { app, client, logger } = makeApp({ maxCookieSize: 200 });
    app.get("/bigint", (req) => {
      req.session.set("n", 1n);
      return "no";
    });
    assert.equal((await client.get("/bigint")).status, 500);
    assert.match(logger.errors[0]?.[0] ?? "", /Saving the session/);
    await client.get(`/set/big/${"x".repeat(300)}`);
    assert.ok(logger.records.some((r) => r.level === "warn" && /maxCookieSize/.test(r.message)));
  });
});

describe("flash messages", () => {
  function flashApp(contextLocals: boolean) {
    const app = new Phial({
      staticFolder: null,
      logger: silentLogger(),
      contextLocals,
      config: { secretKey: KEY },
    });
    app.get("/flash", (req) => {
      if (contextLocals) {
        flash("Saved");
        flash("Bad password", "error");
      } else {
        req.flash("Saved");
        req.flash("Bad password", "error");
      }
      return "flashed";
    });
    app.get("/show", (req) => {
      const read = contextLocals
        ? () => ({
            all: getFlashedMessages({ withCategories: true }),
            plain: getFlashedMessages(),
            errors: getFlashedMessages({ categoryFilter: ["error"] }),
          })
        : () => ({
            all: req.getFlashedMessages({ withCategories: true }),
            plain: req.getFlashedMessages(),
            errors: req.getFlashedMessages({ categoryFilter: ["error"] }),
          });
      return read();
    });
    return new TestClient(app);
  }

  for (const contextLocals of [false, true]) {
    it(`are stored, read once with categories and filters (contextLocals: ${contextLocals})`, async () => {
      const client = flashApp(contextLocals);
      await client.get("/flash");
      assert.deepEqual(await client.sessionTransaction((s) => s.get("_flashes")), [
        ["message", "Saved"],
        ["error", "Bad password"],
      ]);
      const shown = await client.get("/show");
      assert.deepEqual(shown.json(), {
        all: [
          ["message", "Saved"],
          ["error", "Bad password"],
        ],
        plain: ["Saved", "Bad password"],
        errors: ["Bad password"],
      });
      assert.match(setCookieOf(shown) ?? "", /Max-Age=0/, "the emptied session is removed");
      assert.deepEqual((await client.get("/show")).json(), { all: [], plain: [], errors: [] });
    });
  }
});

describe("TestClient.sessionTransaction", () => {
  it("seeds the session of the next request and reads what it left", async () => {
    const { client } = makeApp();
    const returned = await client.sessionTransaction((s) => {
      s.set("user", "grace");
      return "done";
    });
    assert.equal(returned, "done");
    assert.deepEqual((await client.get("/get/user")).json(), { value: "grace" });
    await client.get("/set/theme/dark");
    const seen = await client.sessionTransaction(async (s) => [...s.entries()]);
    assert.deepEqual(seen, [
      ["user", "grace"],
      ["theme", "dark"],
    ]);
  });

  it("works with a session cookie scoped to a path other than /", async () => {
    const logger = silentLogger();
    const app = new Phial({
      staticFolder: null,
      logger,
      config: { secretKey: KEY, sessionCookiePath: "/app" },
    });
    app.get("/app/set/<value>", (req) => {
      req.session.set("theme", req.params.value);
      return "set";
    });
    app.get("/app/all", (req) => Object.fromEntries(req.session.entries()));
    const client = new TestClient(app);
    await client.get("/app/set/dark");
    assert.equal(await client.sessionTransaction((s) => s.get("theme")), "dark");
    await client.sessionTransaction((s) => {
      s.set("user", "bob");
    });
    assert.deepEqual((await client.get("/app/all")).json(), { theme: "dark", user: "bob" });
  });

  it("without a secret key reads see an empty session and every write says what to set", async () => {
    const logger = silentLogger();
    const app = new Phial({ staticFolder: null, logger });
    app.get("/read", (req) => ({
      keys: [...req.session.keys()],
      entries: [...req.session.entries()],
      has: req.session.has("x"),
      size: req.session.size,
      permanent: req.session.permanent,
    }));
    const writes: Record<string, (s: Session) => void> = {
      delete: (s) => s.delete("x"),
      clear: (s) => s.clear(),
      permanent: (s) => {
        s.permanent = true;
      },
    };
    for (const [name, write] of Object.entries(writes)) {
      app.get(`/write/${name}`, (req) => {
        write(req.session);
        return "never";
      });
    }
    const client = new TestClient(app);
    assert.deepEqual((await client.get("/read")).json(), {
      keys: [],
      entries: [],
      has: false,
      size: 0,
      permanent: false,
    });
    for (const name of Object.keys(writes)) {
      const res = await client.get(`/write/${name}`);
      assert.equal(res.status, 500, name);
      assert.equal(res.headers.getSetCookie().length, 0, name);
    }
    assert.equal(logger.errors.length, 3);
    for (const [, fields] of logger.errors) {
      assert.match(String(fields.err), /no secret key is set\. Set app\.config\.secretKey/);
    }
  });

  it("a value changed in place is saved only once modified is set", async () => {
    const { app, client } = makeApp();
    app.get("/cart/add/<item>", (req) => {
      const cart = req.session.get("cart") as string[];
      cart.push(req.params.item);
      if (req.query.has("mark") && req.session instanceof TrackedSession) {
        req.session.modified = true;
      }
      return "added";
    });
    app.get("/cart", (req) => {
      // The signed-cookie interface opens a TrackedSession, which is also iterable.
      const tracked = req.session as TrackedSession;
      return {
        keys: [...tracked.keys()],
        values: [...tracked.values()],
        iterated: [...tracked],
      };
    });
    await client.sessionTransaction((s) => s.set("cart", ["tea"]));
    const unmarked = await client.get("/cart/add/milk");
    assert.equal(setCookieOf(unmarked), undefined, "a read alone does not resend the cookie");
    assert.deepEqual((await client.get("/cart")).json(), {
      keys: ["cart"],
      values: [["tea"]],
      iterated: [["cart", ["tea"]]],
    });
    const marked = await client.get("/cart/add/milk?mark");
    assert.ok(setCookieOf(marked), "modified = true resends the cookie");
    assert.equal(marked.headers.get("vary"), "Cookie");
    assert.deepEqual((await client.get("/cart")).json(), {
      keys: ["cart"],
      values: [["tea", "milk"]],
      iterated: [["cart", ["tea", "milk"]]],
    });
  });

  it("explains what is missing without a secret key", async () => {
    const app = new Phial({ staticFolder: null, logger: silentLogger() });
    await assert.rejects(
      new TestClient(app).sessionTransaction(() => {}),
      /set app\.config\.secretKey/,
    );
  });
});

describe("custom session interfaces", () => {
  /** A server-side store: the cookie holds an id only. */
  function memoryStore(eager: boolean) {
    const rows = new Map<string, [string, unknown][]>();
    let next = 0;
    const open = (req: { cookies: Record<string, string | undefined> }) =>
      new TrackedSession(rows.get(req.cookies.sid ?? "") ?? []);
    const iface: SessionInterface = {
      eager,
      open: eager ? async (req) => open(req) : (req) => open(req),
      async save(s: Session, req, res) {
        if (!(s instanceof TrackedSession) || !s.modified) return;
        const sid = req.cookies.sid ?? `sid-${++next}`;
        rows.set(sid, [...s.entries()]);
        if (req.cookies.sid === undefined) res.setCookie("sid", sid);
      },
    };
    return { rows, iface };
  }

  for (const eager of [false, true]) {
    it(`replace the signed cookie with a server-side store (eager: ${eager})`, async () => {
      const { rows, iface } = memoryStore(eager);
      const { app, client } = makeApp({}, { sessionInterface: iface, contextLocals: true });
      app.get("/local", () => ({ value: session.get("user") ?? null }));
      await client.get("/set/user/ada");
      assert.equal(client.cookies.get("sid"), "sid-1");
      assert.equal(client.cookies.has("session"), false);
      assert.deepEqual(rows.get("sid-1"), [["user", "ada"]]);
      assert.deepEqual((await client.get("/get/user")).json(), { value: "ada" });
      assert.deepEqual((await client.get("/local")).json(), { value: "ada" });
      await client.sessionTransaction((s) => s.set("user", "bob"));
      assert.deepEqual((await client.get("/get/user")).json(), { value: "bob" });
    });
  }

  it("an async open without eager is a clear 500; a null interface turns sessions off", async () => {
    const lazyAsync: SessionInterface = {
      open: async () => new TrackedSession(),
      save: () => {},
    };
    const { client, logger } = makeApp({}, { sessionInterface: lazyAsync });
    assert.equal((await client.get("/get/x")).status, 500);
    assert.match(String(logger.errors[0]?.[1].err), /eager: true/);

    const off = makeApp({}, { sessionInterface: null });
    assert.deepEqual((await off.client.get("/get/x")).json(), { value: null });
    assert.equal((await off.client.get("/set/a/b")).status, 500);
  });
});
