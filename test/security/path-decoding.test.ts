/**
 * Security rule 1: routing uses only the path of the request target, cut off at `?` and `#`,
 * split on `/` and then decoded once; malformed escapes are 400; `%2F`, `%5C` and `%00` stay data.
 * Nothing is normalised (dot segments, double slashes, case), and `req.path` is exactly the text
 * routing matched, so a `beforeRequest` guard and a static file lookup can never disagree with
 * routing about which path was asked for.
 *
 * Every case is sent three ways: byte for byte over `net`, through `http.request` to a real
 * server, and through the in-process test client, which must not normalise either.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Phial } from "../../src/index.ts";
import { clientKinds } from "../helpers/clients.ts";
import { silentLogger } from "../helpers/logger.ts";
import { rawExchange, rawGet } from "../helpers/raw-http.ts";

const ADMIN_SECRET = "ADMIN-ONLY-5a1c";
const FILE_SECRET = "PRIVATE-FILE-93be";

/** Whether `p` is `prefix` or below it, segment-wise: the guard a user would write. */
const isUnder = (p: string, prefix: string): boolean => p === prefix || p.startsWith(`${prefix}/`);

let dir = "";

function makeApp(): Phial {
  const app = new Phial({ rootPath: dir, staticFolder: "static", logger: silentLogger() });
  app.beforeRequest((req) => {
    if (isUnder(req.path, "/admin") || isUnder(req.path, "/static/private")) {
      return ["guarded", 403];
    }
    return undefined;
  });
  app.get("/admin", () => ADMIN_SECRET);
  app.get("/admin/<path:rest>", () => ADMIN_SECRET);
  app.get("/echo/<name>", (req) => ({ name: req.params.name, path: req.path }));
  app.get("/files/<path:p>", (req) => ({ p: req.params.p, path: req.path }));
  app.get("/<page>", (req) => ({ page: req.params.page, path: req.path }));
  return app;
}

/** One hostile target and what must come back; `json` fields are compared when given. */
interface Case {
  readonly target: string;
  readonly status: number;
  readonly json?: Readonly<Record<string, string>>;
}

const FRAGMENT_AND_QUERY: readonly Case[] = [
  { target: "/echo/x#frag", status: 200, json: { name: "x", path: "/echo/x" } },
  { target: "/echo/x?q=%2F#frag/../admin", status: 200, json: { name: "x", path: "/echo/x" } },
  { target: "/echo/x%23y", status: 200, json: { name: "x#y" } },
  { target: "/echo/x%3Fy", status: 200, json: { name: "x?y" } },
];

const DECODED_ONCE: readonly Case[] = [
  { target: "/echo/%252F", status: 200, json: { name: "%2F", path: "/echo/%2F" } },
  { target: "/echo/%2561", status: 200, json: { name: "%61" } },
  { target: "/echo/%25252e", status: 200, json: { name: "%252e" } },
  { target: "/echo/caf%C3%A9", status: 200, json: { name: "café", path: "/echo/café" } },
];

const MALFORMED: readonly Case[] = [
  "/echo/%",
  "/echo/%zz",
  "/echo/%4",
  "/echo/x%2",
  "/%G1",
  "/admin%",
  "/admin/%zz",
].map((target) => ({ target, status: 400 }));

/** Overlong forms, surrogates, values above U+10FFFF, truncated and stray bytes. */
const BAD_UTF8: readonly Case[] = [
  "/echo/%C0%AF",
  "/echo/%E0%80%AF",
  "/echo/%F0%80%80%AF",
  "/echo/%C0%AE%C0%AE",
  "/echo/%ED%A0%80",
  "/echo/%F4%90%80%80",
  "/echo/%FF",
  "/echo/%C3",
  "/echo/%C3%28",
].map((target) => ({ target, status: 400 }));

const SEPARATORS_AS_DATA: readonly Case[] = [
  { target: "/echo/a%2Fb", status: 200, json: { name: "a/b" } },
  { target: "/echo/a%2f..%2f..%2fadmin", status: 200, json: { name: "a/../../admin" } },
  { target: "/echo/a%5Cb", status: 200, json: { name: "a\\b" } },
  { target: "/echo/a%00b", status: 200, json: { name: "a\u0000b" } },
  { target: "/echo%2Fx", status: 200, json: { page: "echo/x" } },
  { target: "/files/a%2Fb/c", status: 200, json: { p: "a/b/c", path: "/files/a/b/c" } },
];

const TARGET_FORMS: readonly Case[] = [
  { target: "http://evil.example/echo/x", status: 200, json: { name: "x", path: "/echo/x" } },
  { target: "HTTPS://evil.example/echo/y?q=1#f", status: 200, json: { name: "y" } },
  { target: "http://evil.example", status: 404 },
  { target: "*", status: 400 },
];

const NOT_NORMALISED: readonly Case[] = [
  { target: "//echo/x", status: 404 },
  { target: "/./echo/x", status: 404 },
  { target: "/x/../echo/x", status: 404 },
  { target: "/echo//x", status: 404 },
  { target: "/echo/x/", status: 404 },
  { target: "/ECHO/x", status: 404 },
  { target: "/echo/.", status: 200, json: { name: "." } },
  { target: "/echo/..", status: 200, json: { name: ".." } },
  { target: "/echo/%2e%2e", status: 200, json: { name: ".." } },
];

/** Spellings that reach an /admin route: the guard sees /admin in every one. */
const GUARDED: readonly Case[] = [
  "/admin",
  "/admin/x",
  "/%61dmin",
  "/adm%69n",
  "/%61%64%6D%69%6E",
  "/admin%2F..",
  "/admin%2Fx",
  "/admin#x",
  "/admin?x=1",
  "http://evil.example/admin",
  "/admin/..",
  "/admin/%2e%2e/echo/x",
].map((target) => ({ target, status: 403 }));

/** Spellings that only look like /admin: no route for /admin takes them. */
const NOT_ADMIN: readonly Case[] = [
  { target: "//admin", status: 404 },
  { target: "/./admin", status: 404 },
  { target: "/x/../admin", status: 404 },
  { target: "/%2e/admin", status: 404 },
  { target: "/Admin/x", status: 404 },
  { target: "/admin%00", status: 200, json: { page: "admin\u0000" } },
  { target: "/ADMIN", status: 200, json: { page: "ADMIN" } },
  { target: "/%2561dmin", status: 200, json: { page: "%61dmin" } },
  { target: "/%2Fadmin", status: 200, json: { page: "/admin", path: "//admin" } },
  { target: "/%5Cadmin", status: 200, json: { page: "\\admin" } },
  { target: "/\\admin", status: 200, json: { page: "\\admin" } },
];

/** The static route and a guard on /static/private see the same path. */
const STATIC: readonly Case[] = [
  { target: "/static/private/secret.txt", status: 403 },
  { target: "/static/private%2Fsecret.txt", status: 403 },
  { target: "/static/%70rivate/secret.txt", status: 403 },
  { target: "/static/private%2F..%2Fprivate%2Fsecret.txt", status: 403 },
  { target: "/static/./private/secret.txt", status: 404 },
  { target: "/static//private/secret.txt", status: 404 },
  { target: "/static/x/../private/secret.txt", status: 404 },
  { target: "/static/x%2F..%2Fprivate/secret.txt", status: 404 },
  { target: "/static/private%5Csecret.txt", status: 404 },
  { target: "/static/private\\secret.txt", status: 404 },
  { target: "/static/private/secret.txt%00", status: 403 },
  { target: "/static/public.txt%00", status: 400 },
];

const GROUPS: readonly (readonly [string, readonly Case[]])[] = [
  ["the path stops at `?` and `#`; an encoded `%23` or `%3F` is data", FRAGMENT_AND_QUERY],
  ["each escape is decoded once: `%252F` reaches the handler as the text `%2F`", DECODED_ONCE],
  ["malformed percent-encoding (`%`, `%zz`, `%4`) is 400, never 500", MALFORMED],
  ["overlong, surrogate and truncated UTF-8 escapes (`%C0%AF`, `%ED%A0%80`) are 400", BAD_UTF8],
  [
    "`%2F`, `%5C` and `%00` stay data inside one segment and never split the path",
    SEPARATORS_AS_DATA,
  ],
  ["absolute-form targets route on their path only; asterisk-form `*` is 400", TARGET_FORMS],
  [
    "double slashes, dot segments and case are not normalised: 404 unless a route says so",
    NOT_NORMALISED,
  ],
  [
    "a guard on /admin sees `/%61dmin`, `/admin%2F..`, `/admin/..` and absolute-form as /admin: 403",
    GUARDED,
  ],
  [
    "`//admin`, `/./admin`, `/x/../admin`, `/ADMIN`, `/admin%00`, `/%2561dmin` never reach the admin handler",
    NOT_ADMIN,
  ],
  [
    "a guard on /static/private and the static file lookup agree: 403, 404 or 400, never the file",
    STATIC,
  ],
];

function check(c: Case, status: number, body: string): void {
  const what = `${c.target} -> ${status} ${body.slice(0, 120)}`;
  assert.equal(status, c.status, what);
  assert.ok(!body.includes(ADMIN_SECRET), `${what}: reached the admin handler unguarded`);
  assert.ok(!body.includes(FILE_SECRET), `${what}: served the private file`);
  assert.ok(!body.includes(dir), `${what}: leaked a path`);
  if (c.json !== undefined) {
    const got = JSON.parse(body) as Record<string, unknown>;
    for (const [key, value] of Object.entries(c.json)) assert.equal(got[key], value, what);
  }
}

let app: Phial;
let port = 0;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "phial-paths-"));
  mkdirSync(path.join(dir, "static", "private"), { recursive: true });
  mkdirSync(path.join(dir, "static", "x"));
  writeFileSync(path.join(dir, "static", "public.txt"), "public");
  writeFileSync(path.join(dir, "static", "private", "secret.txt"), FILE_SECRET);
  app = makeApp();
  await app.listen({ port: 0 });
  port = app.address()?.port ?? 0;
});

after(async () => {
  await app.close({ timeout: 100 });
  rmSync(dir, { recursive: true, force: true });
});

describe("request paths over a raw socket", () => {
  test("the harness works: a public file, a plain route and the guard answer as written", async () => {
    const file = await rawExchange(port, rawGet("/static/public.txt"));
    assert.equal(file.status, 200);
    assert.equal(file.body, "public");
    const echo = await rawExchange(port, rawGet("/echo/x"));
    assert.deepEqual(JSON.parse(echo.body), { name: "x", path: "/echo/x" });
    assert.equal((await rawExchange(port, rawGet("/admin"))).status, 403);
  });

  for (const [name, cases] of GROUPS) {
    test(name, async () => {
      for (const c of cases) {
        const answer = await rawExchange(port, rawGet(c.target));
        check(c, answer.status, answer.body);
      }
    });
  }

  test("`OPTIONS *` is 400 too: it names no path to route", async () => {
    const answer = await rawExchange(
      port,
      "OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert.equal(answer.status, 400);
  });

  test("targets that are not origin-form at all (`echo/x`, `host:80`) are refused with 400", async () => {
    for (const target of ["echo/x", "evil.example:80"]) {
      assert.equal((await rawExchange(port, rawGet(target))).status, 400, target);
    }
  });
});

for (const kind of clientKinds) {
  describe(`request paths sent as given ${kind.name}`, () => {
    for (const [name, cases] of GROUPS) {
      test(name, async () => {
        const client = await kind.create(makeApp());
        try {
          for (const c of cases) {
            const res = await client.get(c.target);
            check(c, res.status, res.text());
          }
        } finally {
          await client.close();
        }
      });
    }
  });
}

describe("an allowlist guard (only /public/ is open)", () => {
  function allowlistApp(): Phial {
    const open = new Phial({ staticFolder: null, logger: silentLogger() });
    open.beforeRequest((req) => (isUnder(req.path, "/public") ? undefined : ["log in", 401]));
    open.get("/public/<path:p>", (req) => ({ p: req.params.p }));
    open.get("/admin", () => ADMIN_SECRET);
    return open;
  }

  test("`/public/../admin`, `/public/..%2Fadmin`, `/public%2F..%2Fadmin` never reach /admin", async () => {
    const targets = ["/public/../admin", "/public/..%2Fadmin", "/public%2F..%2Fadmin"];
    for (const kind of clientKinds) {
      const client = await kind.create(allowlistApp());
      try {
        assert.equal((await client.get("/admin")).status, 401, "the guard works");
        for (const target of targets) {
          const res = await client.get(target);
          assert.ok(!res.text().includes(ADMIN_SECRET), `${kind.name} ${target}: ${res.status}`);
          assert.ok(res.status === 200 || res.status === 404, `${target}: ${res.status}`);
        }
      } finally {
        await client.close();
      }
    }
  });
});
