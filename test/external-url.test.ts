/**
 * `urlFor` beyond paths: `applicationRoot`, anchors, and external URLs whose host and scheme come
 * from `serverName`, the request (through trusted proxies only) or `preferredUrlScheme`.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, test } from "node:test";
import { BuildError, Phial, urlFor } from "../src/index.ts";
import { SocketClient } from "./helpers/clients.ts";
import { silentLogger } from "./helpers/logger.ts";

function makeApp(config: ConstructorParameters<typeof Phial>[0] = {}): Phial {
  const app = new Phial({ logger: silentLogger(), ...config });
  app.get("/users/<int:id>", { endpoint: "user" }, (req) => ({ id: req.params.id }));
  app.get("/link", (req) => req.urlFor("user", { id: 7 }, { external: true }));
  return app;
}

function thrown(fn: () => unknown): BuildError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BuildError, `expected a BuildError, got ${String(err)}`);
    assert.equal(err.code, "url_build_failed");
    return err;
  }
  assert.fail("expected urlFor to throw");
}

describe("urlFor outside a request", () => {
  test("paths start with applicationRoot, with or without its trailing slash", () => {
    for (const root of ["/app", "/app/"]) {
      const app = makeApp({ config: { applicationRoot: root } });
      assert.equal(app.urlFor("user", { id: 7, tab: "a b" }), "/app/users/7?tab=a+b");
    }
    assert.equal(makeApp().urlFor("user", { id: 7 }), "/users/7");
  });

  test("external takes serverName, preferredUrlScheme and applicationRoot", () => {
    const app = makeApp({
      config: {
        serverName: "example.com:8443",
        preferredUrlScheme: "https",
        applicationRoot: "/a",
      },
    });
    assert.equal(
      app.urlFor("user", { id: 7 }, { external: true }),
      "https://example.com:8443/a/users/7",
    );
    assert.equal(
      app.urlFor("user", { id: 7 }, { scheme: "wss" }),
      "wss://example.com:8443/a/users/7",
    );
  });

  test("external without serverName is refused with what to set", () => {
    const err = thrown(() => makeApp().urlFor("user", { id: 7 }, { external: true }));
    assert.match(err.message, /config\.serverName/);
  });

  test("a scheme with external: false, or a scheme that is not one, is refused", () => {
    const app = makeApp({ config: { serverName: "example.com" } });
    assert.match(
      thrown(() => app.urlFor("user", { id: 1 }, { external: false, scheme: "https" })).message,
      /drop one of the two/,
    );
    for (const scheme of ["", "1http", "http://evil.example/", "java script"]) {
      assert.match(
        thrown(() => app.urlFor("user", { id: 1 }, { scheme })).message,
        /not a URL scheme/,
      );
    }
  });

  test("an anchor is appended with # and what a fragment cannot hold escaped", () => {
    const app = makeApp();
    assert.equal(app.urlFor("user", { id: 7 }, { anchor: "top" }), "/users/7#top");
    assert.equal(
      app.urlFor("user", { id: 7 }, { anchor: 'a b#c"<x>/?' }),
      "/users/7#a%20b%23c%22%3Cx%3E/?",
    );
    assert.match(
      thrown(() => app.urlFor("user", { id: 7 }, { anchor: "\ud800" })).message,
      /anchor/,
    );
  });
});

describe("urlFor inside a request", () => {
  test("external uses the request's Host and protocol, over a real socket", async () => {
    const client = await SocketClient.start(makeApp());
    try {
      const res = await client.get("/link", { headers: { Host: "shop.example:5000" } });
      assert.equal(res.text(), "http://shop.example:5000/users/7");
    } finally {
      await client.close();
    }
  });

  test("X-Forwarded-Host and -Proto count only from a trusted proxy", async () => {
    const headers = {
      Host: "internal:8000",
      "X-Forwarded-Host": "evil.example",
      "X-Forwarded-Proto": "https",
    };
    const untrusting = await SocketClient.start(makeApp());
    const trusting = await SocketClient.start(makeApp({ config: { trustProxy: ["127.0.0.1"] } }));
    try {
      assert.equal(
        (await untrusting.get("/link", { headers })).text(),
        "http://internal:8000/users/7",
      );
      assert.equal(
        (await trusting.get("/link", { headers })).text(),
        "https://evil.example/users/7",
      );
    } finally {
      await untrusting.close();
      await trusting.close();
    }
  });

  test("serverName, when set, wins over the Host header a client chose", async () => {
    const app = makeApp({ config: { serverName: "canonical.example" } });
    const res = await app.testClient().get("/link", { headers: { Host: "attacker.example" } });
    assert.equal(res.text(), "http://canonical.example/users/7");
  });

  test("a request without a Host header and no serverName fails to build (500)", async () => {
    const app = makeApp();
    await app.listen({ port: 0 });
    try {
      const port = app.address()?.port ?? 0;
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => socket.write("GET /link HTTP/1.0\r\n\r\n"));
        let data = "";
        socket.setEncoding("latin1");
        socket.on("data", (chunk) => {
          data += chunk;
        });
        socket.on("end", () => resolve(data));
        socket.on("error", reject);
      });
      assert.match(reply, /^HTTP\/1\.1 500 /);
    } finally {
      await app.close({ timeout: 100 });
    }
  });

  test("app.urlFor and the urlFor local use the current request with context locals", async () => {
    const app = new Phial({ contextLocals: true, logger: silentLogger() });
    app.get("/users/<int:id>", { endpoint: "user" }, () => "user");
    app.get("/both", () => [
      app.urlFor("user", { id: 1 }, { external: true }),
      urlFor("user", { id: 2 }, { scheme: "https", anchor: "x" }),
    ]);
    const res = await app.testClient().get("/both", { headers: { Host: "a.example" } });
    assert.deepEqual(res.json(), ["http://a.example/users/1", "https://a.example/users/2#x"]);
  });

  test("templates take Flask's _external, _scheme and _anchor keyword arguments", async () => {
    const app = makeApp({ config: { applicationRoot: "/shop" } });
    app.get("/t", (req) =>
      req.renderTemplateString(
        '{{ urlFor("user", id=3) }} {{ urlFor("user", id=4, _external=true, _anchor="c") }} {{ urlFor("user", { id: 5 }, { scheme: "https" }) }}',
      ),
    );
    const res = await app.testClient().get("/t", { headers: { Host: "h.example" } });
    assert.equal(
      res.text(),
      "/shop/users/3 http://h.example/shop/users/4#c https://h.example/shop/users/5",
    );
  });

  test("the session cookie's Path follows applicationRoot unless sessionCookiePath is set", async () => {
    for (const [config, path] of [
      [{ applicationRoot: "/shop" }, "/shop"],
      [{ applicationRoot: "/shop", sessionCookiePath: "/" }, "/"],
    ] as const) {
      const app = new Phial({ logger: silentLogger(), config: { secretKey: "k", ...config } });
      app.get("/shop/login", (req) => {
        req.session.set("user", "ada");
        return "ok";
      });
      const res = await app.testClient().get("/shop/login");
      assert.match(res.headers.get("set-cookie") ?? "", new RegExp(`Path=${path};`));
    }
  });
});
