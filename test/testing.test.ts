import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { TestClient } from "../src/testing.ts";
import { forBothClients, SocketClient } from "./helpers/clients.ts";

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  rawHeaders: string[];
  body: string;
  text: string;
  remoteAddress: string;
  encrypted: boolean;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Answers with everything it received, as JSON. */
async function echo(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const socket = req.socket as IncomingMessage["socket"] & { encrypted?: boolean };
  const data: Echo = {
    method: req.method ?? "",
    url: req.url ?? "",
    headers: req.headers as Echo["headers"],
    rawHeaders: req.rawHeaders,
    body: body.toString("base64"),
    text: body.toString("utf8"),
    remoteAddress: socket.remoteAddress ?? "",
    encrypted: socket.encrypted === true,
  };
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(data));
}

const echoApp = () => (req: IncomingMessage, res: ServerResponse) => void echo(req, res);

/** A tiny app: `/redirect?status=&to=`, `/chain/<n>`, `/loop`, `/set?cookie=...`, else echo. */
function redirectApp() {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://x");
    const chain = /^\/chain\/(\d+)$/.exec(url.pathname);
    if (url.pathname.endsWith("/redirect")) {
      const cookies = url.searchParams.getAll("cookie");
      if (cookies.length > 0) res.setHeader("set-cookie", cookies);
      res.writeHead(Number(url.searchParams.get("status")), {
        location: url.searchParams.get("to") ?? "/",
      });
      res.end("moved");
    } else if (chain) {
      const n = Number(chain[1]);
      if (n === 0) res.end("done");
      else res.writeHead(302, { location: `/chain/${n - 1}` }).end();
    } else if (url.pathname === "/loop") {
      res.writeHead(307, { location: "/loop" }).end();
    } else if (url.pathname.endsWith("/set")) {
      res.setHeader("set-cookie", url.searchParams.getAll("cookie"));
      res.end("set");
    } else {
      void echo(req, res);
    }
  };
}

describe("TestClient basics", () => {
  forBothClients("methods, bodies and framing arrive as sent", echoApp, async (client) => {
    const get = (await client.get("/x")).json<Echo>();
    assert.equal(get.method, "GET");
    assert.equal(get.headers["content-length"], undefined);
    assert.equal(get.headers["transfer-encoding"], undefined);

    const json = (await client.post("/x", { json: { a: [1, "é"] } })).json<Echo>();
    assert.equal(json.method, "POST");
    assert.equal(json.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(json.text), { a: [1, "é"] });
    assert.equal(json.headers["content-length"], String(Buffer.byteLength(json.text)));

    const form = (
      await client.put("/x", { form: { q: "a b&c", n: [1, 2], ok: true } })
    ).json<Echo>();
    assert.equal(form.method, "PUT");
    assert.equal(form.headers["content-type"], "application/x-www-form-urlencoded");
    assert.equal(form.text, "q=a+b%26c&n=1&n=2&ok=true");

    const bytes = new Uint8Array([0, 255, 128, 10, 13]);
    const raw = (await client.patch("/x", { body: bytes })).json<Echo>();
    assert.equal(raw.method, "PATCH");
    assert.deepEqual(new Uint8Array(Buffer.from(raw.body, "base64")), bytes);
    assert.equal(raw.headers["content-type"], undefined);

    const text = (await client.open("delete", "/x", { body: "plain" })).json<Echo>();
    assert.equal(text.method, "DELETE");
    assert.equal(text.text, "plain");

    const options = (await client.options("*")).json<Echo>();
    assert.equal(options.url, "*");
  });

  it("rejects more than one body option", async () => {
    const client = new TestClient(echoApp());
    await assert.rejects(client.post("/", { json: 1, body: "x" }), TypeError);
  });

  forBothClients("query strings are encoded and appended", echoApp, async (client) => {
    const url = async (path: string, query: Parameters<typeof client.get>[1]) =>
      (await client.get(path, query)).json<Echo>().url;
    assert.equal(
      await url("/s", {
        query: { q: "a b&c=d/é", n: 3, on: false, tag: ["x", "y"], skip: undefined },
      }),
      "/s?q=a+b%26c%3Dd%2F%C3%A9&n=3&on=false&tag=x&tag=y",
    );
    assert.equal(await url("/s?a=1", { query: new URLSearchParams([["b", "2"]]) }), "/s?a=1&b=2");
    assert.equal(await url("/s?", { query: { b: 2 } }), "/s?b=2");
    assert.equal(await url("/s", { query: {} }), "/s");
  });

  forBothClients(
    "headers: defaults, overrides, removal, Host from baseUrl",
    echoApp,
    async (client) => {
      const first = (await client.get("/", { headers: { "X-One": "1" } })).json<Echo>();
      assert.equal(first.headers.host, "example.test:8080");
      assert.equal(first.headers["x-default"], "d");
      assert.equal(first.headers["x-one"], "1");
      assert.ok(first.rawHeaders.includes("X-One"), "header name case is kept");
      assert.equal(first.remoteAddress, "127.0.0.1");

      const second = (
        await client.get("/", { headers: { "x-default": "override", "user-agent": undefined } })
      ).json<Echo>();
      assert.equal(second.headers["x-default"], "override");
      assert.equal(second.headers["user-agent"], undefined);

      const multi = (await client.get("/", { headers: { "x-multi": ["a", "b"] } })).json<Echo>();
      assert.equal(multi.headers["x-multi"], "a, b");
    },
    { baseUrl: "http://example.test:8080", headers: { "X-Default": "d", "User-Agent": "ua" } },
  );

  forBothClients("raw paths reach req.url untouched", echoApp, async (client) => {
    for (const path of [
      "/a/../b",
      "/%2e%2e/x",
      "/a%2Fb",
      "//x",
      "/./x/.",
      "/a/%2E%2E%2fb",
      "/%00",
      "/%zz",
      "/a\\b",
      "/x?y=../z&%2F",
      "/a#frag",
    ]) {
      const res = await client.get(path);
      assert.equal(res.json<Echo>().url, path);
      assert.equal(res.path, path);
      assert.equal(res.url, `http://localhost${path}`);
    }
    await assert.rejects(client.get("/a b"), { code: "ERR_UNESCAPED_CHARACTERS" });
    // Sent as one latin1 byte, which Node's parser refuses: non-ASCII must be percent-encoded.
    assert.equal((await client.get("/é")).status, 400);
  });

  forBothClients("HEAD has no body but keeps the headers", echoApp, async (client) => {
    const res = await client.head("/page");
    assert.equal(res.status, 200);
    assert.equal(res.text(), "");
    assert.equal(res.headers.get("content-type"), "application/json");
  });

  forBothClients("concurrent requests on one client", echoApp, async (client) => {
    const paths = Array.from({ length: 25 }, (_, i) => `/n/${i}`);
    const results = await Promise.all(paths.map((p, i) => client.post(p, { body: `body-${i}` })));
    results.forEach((res, i) => {
      const data = res.json<Echo>();
      assert.equal(data.url, paths[i]);
      assert.equal(data.text, `body-${i}`);
    });
  });

  forBothClients(
    "large bodies stream both ways intact",
    () => async (req: IncomingMessage, res: ServerResponse) => res.end(await readBody(req)),
    async (client) => {
      const big = Buffer.alloc(5 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 251;
      const res = await client.post("/big", { body: big });
      assert.equal(Buffer.compare(res.buffer, big), 0);
    },
  );

  forBothClients(
    "a destroyed connection rejects the request",
    () => (req: IncomingMessage) => req.socket.destroy(),
    async (client) => {
      await assert.rejects(client.get("/"), { code: "ECONNRESET" });
    },
  );

  it("response helpers: statusText, Headers, json errors, bytes", async () => {
    const client = new TestClient((_req, res) => {
      res.statusMessage = "Teapot";
      res.writeHead(418, [
        ["Set-Cookie", "a=1"],
        ["Set-Cookie", "b=2"],
        ["Content-Type", "text/plain"],
      ]);
      res.end("not json");
    });
    const res = await client.get("/t");
    assert.equal(res.status, 418);
    assert.equal(res.statusText, "Teapot");
    assert.equal(res.ok, false);
    assert.deepEqual(res.headers.getSetCookie(), ["a=1", "b=2"]);
    assert.equal(res.headers.has("CONTENT-TYPE"), true);
    assert.deepEqual(res.bytes(), new TextEncoder().encode("not json"));
    assert.throws(() => res.json(), /GET \/t answered 418 \(text\/plain\), not JSON: "not json"/);
  });

  it("accepts an app object and calls handler as its method; https baseUrl looks encrypted", async () => {
    class App {
      greeting = "hi";
      get handler() {
        return (_req: IncomingMessage, res: ServerResponse) => {
          res.end(`${this.greeting} ${(_req.socket as { encrypted?: boolean }).encrypted}`);
        };
      }
    }
    const client = new TestClient(new App(), { baseUrl: "https://localhost" });
    assert.equal((await client.get("/")).text(), "hi true");
  });

  it("validates baseUrl and refuses requests after close", async () => {
    assert.throws(() => new TestClient(echoApp(), { baseUrl: "http://localhost/api" }), TypeError);
    assert.throws(() => new TestClient(echoApp(), { baseUrl: "ftp://localhost" }), TypeError);
    const client = new TestClient(echoApp());
    await client.close();
    await assert.rejects(client.get("/"), /closed/);
  });
});

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

describe("process lifetime", () => {
  it("SocketClient.close() releases its server and sockets", async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
    const client = await SocketClient.start(echoApp());
    await Promise.all([client.get("/"), client.get("/")]);
    await client.close();
    const after = process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
    assert.equal(after, before);
  });

  it("a script using TestClient exits without close()", () => {
    const testing = new URL("../src/testing.ts", import.meta.url).href;
    const script = `
      import { TestClient } from ${JSON.stringify(testing)};
      const client = new TestClient((req, res) => { res.setHeader("set-cookie", "a=1"); res.end("ok"); });
      const results = await Promise.all([client.get("/"), client.post("/", { json: 1 }), client.get("/")]);
      console.log(results.map((r) => r.text()).join(","));
    `;
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "--eval", script],
      { cwd: fileURLToPath(new URL("..", import.meta.url)), encoding: "utf8", timeout: 15_000 },
    );
    assert.equal(child.error, undefined, "the child did not exit by itself");
    assert.equal(child.stderr, "");
    assert.equal(child.stdout.trim(), "ok,ok,ok");
    assert.equal(child.status, 0);
  });
});
