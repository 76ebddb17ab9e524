import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TestClient } from "../../src/testing.ts";
import { forBothClients } from "../helpers/clients.ts";
import { type Echo, echoApp, redirectApp } from "../helpers/raw-apps.ts";

describe("cookie jar", () => {
  forBothClients("stores, sends back and scopes cookies", redirectApp, async (client) => {
    await client.get("/set", {
      query: {
        cookie: ["sid=abc%20d; Path=/; HttpOnly", "admin=1; Path=/admin", "local=1"],
      },
    });
    assert.equal(client.cookies.get("sid"), "abc d");
    assert.equal(client.cookies.getCookie("sid")?.rawValue, "abc%20d");
    assert.equal(client.cookies.getCookie("sid")?.httpOnly, true);
    assert.equal(client.cookies.getCookie("local")?.path, "/", "default path of /set is /");
    assert.equal(client.cookies.size, 3);

    const root = (await client.get("/")).json<Echo>();
    assert.equal(root.headers.cookie, "sid=abc%20d; local=1");
    const admin = (await client.get("/admin/users")).json<Echo>();
    assert.equal(admin.headers.cookie, "admin=1; sid=abc%20d; local=1", "longest path first");
    const notAdmin = (await client.get("/administrator")).json<Echo>();
    assert.equal(notAdmin.headers.cookie, "sid=abc%20d; local=1");

    const explicit = (await client.get("/", { headers: { Cookie: "mine=1" } })).json<Echo>();
    assert.equal(explicit.headers.cookie, "mine=1");
  });

  forBothClients(
    "default path, replacement and deletion by the server",
    redirectApp,
    async (client) => {
      await client.get("/account/set", { query: { cookie: "scoped=1" } });
      assert.equal(client.cookies.getCookie("scoped")?.path, "/account");
      assert.equal((await client.get("/")).json<Echo>().headers.cookie, undefined);
      assert.equal((await client.get("/account/x")).json<Echo>().headers.cookie, "scoped=1");

      await client.get("/set", { query: { cookie: "a=1" } });
      await client.get("/set", { query: { cookie: "a=2" } });
      assert.equal(client.cookies.get("a"), "2");
      await client.get("/set", { query: { cookie: "a=; Max-Age=0" } });
      assert.equal(client.cookies.has("a"), false);

      await client.get("/set", { query: { cookie: "b=1" } });
      await client.get("/set", { query: { cookie: "b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT" } });
      assert.equal(client.cookies.has("b"), false);
    },
  );

  it("expires cookies as time passes", async (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: Date.now() });
    const client = new TestClient(redirectApp());
    await client.get("/set", { query: { cookie: ["short=1; Max-Age=60", "session=1"] } });
    assert.equal(client.cookies.has("short"), true);
    t.mock.timers.tick(61_000);
    assert.equal(client.cookies.has("short"), false);
    assert.equal((await client.get("/")).json<Echo>().headers.cookie, "session=1");
  });

  it("honours Domain and Secure", async () => {
    const http = new TestClient(redirectApp(), { baseUrl: "http://app.example.test" });
    await http.get("/set", {
      query: {
        cookie: [
          "wide=1; Domain=.example.test",
          "other=1; Domain=elsewhere.test",
          "host=1",
          "sec=1; Secure",
        ],
      },
    });
    assert.equal(http.cookies.getCookie("wide")?.hostOnly, false);
    assert.equal(http.cookies.getCookie("wide")?.domain, "example.test");
    assert.equal(http.cookies.has("other"), false, "a cookie for another site is rejected");
    assert.equal(http.cookies.getCookie("sec")?.secure, true);
    assert.equal((await http.get("/")).json<Echo>().headers.cookie, "wide=1; host=1");

    const https = new TestClient(redirectApp(), { baseUrl: "https://localhost" });
    await https.get("/set", { query: { cookie: "sec=1; Secure" } });
    assert.equal((await https.get("/")).json<Echo>().headers.cookie, "sec=1");
  });

  forBothClients("setCookie and deleteCookie", echoApp, async (client) => {
    client.setCookie("theme", "dark mode");
    client.setCookie("scoped", "1", { path: "/only" });
    assert.equal(client.cookies.get("theme"), "dark mode");
    assert.deepEqual(
      [...client.cookies],
      [
        ["scoped", "1"],
        ["theme", "dark mode"],
      ],
    );
    assert.equal((await client.get("/")).json<Echo>().headers.cookie, "theme=dark%20mode");
    assert.equal(
      (await client.get("/only")).json<Echo>().headers.cookie,
      "scoped=1; theme=dark%20mode",
    );
    assert.throws(() => client.setCookie("bad name", "x"), TypeError);

    assert.equal(client.deleteCookie("theme"), true);
    assert.equal(client.deleteCookie("theme"), false);
    assert.equal((await client.get("/")).json<Echo>().headers.cookie, undefined);
  });
});

describe("redirects", () => {
  forBothClients("are not followed by default", redirectApp, async (client) => {
    const res = await client.get("/redirect", { query: { status: 302, to: "/there" } });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/there");
    assert.equal(res.text(), "moved");
    assert.deepEqual(res.history, []);
  });

  forBothClients("303 turns into GET without a body", redirectApp, async (client) => {
    const res = await client.post("/redirect?status=303&to=/done?x=1", {
      json: { a: 1 },
      followRedirects: true,
    });
    const data = res.json<Echo>();
    assert.equal(res.status, 200);
    assert.equal(data.method, "GET");
    assert.equal(data.url, "/done?x=1");
    assert.equal(data.text, "");
    assert.equal(data.headers["content-type"], undefined);
    assert.equal(data.headers["content-length"], undefined);
    assert.equal(res.path, "/done?x=1");
    assert.equal(res.url, "http://localhost/done?x=1");
    assert.deepEqual(
      res.history.map((r) => [r.status, r.method, r.path]),
      [[303, "POST", "/redirect?status=303&to=/done?x=1"]],
    );
  });

  forBothClients("301/302 turn POST into GET, keep other methods", redirectApp, async (client) => {
    const post = await client.post("/redirect?status=301&to=/p", {
      body: "x",
      followRedirects: true,
    });
    assert.equal(post.json<Echo>().method, "GET");
    const put = await client.put("/redirect?status=302&to=/p", {
      body: "x",
      followRedirects: true,
    });
    assert.deepEqual([put.json<Echo>().method, put.json<Echo>().text], ["PUT", "x"]);
  });

  for (const status of [307, 308]) {
    forBothClients(`${status} keeps method and body`, redirectApp, async (client) => {
      const res = await client.post(`/redirect?status=${status}&to=/kept`, {
        form: { a: "1" },
        followRedirects: true,
      });
      const data = res.json<Echo>();
      assert.deepEqual([data.method, data.url, data.text], ["POST", "/kept", "a=1"]);
      assert.equal(data.headers["content-type"], "application/x-www-form-urlencoded");
    });
  }

  forBothClients(
    "relative Location resolves against the current URL; cookies apply on every hop",
    redirectApp,
    async (client) => {
      const res = await client.get("/dir/sub/redirect", {
        query: { status: 302, to: "../target?q=1", cookie: "hop=1; Path=/" },
      });
      const data = res.json<Echo>();
      assert.equal(data.url, "/dir/target?q=1");
      assert.equal(data.headers.cookie, "hop=1");
    },
    { followRedirects: true },
  );

  forBothClients(
    "follows 10 hops, throws past that, and the per-request flag wins",
    redirectApp,
    async (client) => {
      const ten = await client.get("/chain/10");
      assert.equal(ten.text(), "done");
      assert.equal(ten.history.length, 10);
      await assert.rejects(client.get("/chain/11"), /Too many redirects: more than 10 hops/);
      await assert.rejects(client.get("/loop"), /Too many redirects/);
      assert.equal((await client.get("/loop", { followRedirects: false })).status, 307);
    },
    { followRedirects: true },
  );

  forBothClients("stops at another origin", redirectApp, async (client) => {
    const res = await client.get("/redirect?status=302&to=http://elsewhere.test/x", {
      followRedirects: true,
    });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "http://elsewhere.test/x");
    const protocolRelative = await client.get("/redirect?status=302&to=//elsewhere.test/x", {
      followRedirects: true,
    });
    assert.equal(protocolRelative.status, 302);
  });
});
