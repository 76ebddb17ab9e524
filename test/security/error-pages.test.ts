/**
 * Security rule 14: everything a default error page echoes (abort() descriptions, parser
 * messages quoting a header, debug stacks) is HTML-escaped, nothing else from the request is
 * echoed at all (paths, hosts, methods), every text type names its charset, every error page says
 * `X-Content-Type-Options: nosniff`, and JSON error bodies are valid JSON that round-trip the text.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { abort, HTTPError, Phial } from "../../src/index.ts";
import { clientKinds } from "../helpers/clients.ts";
import { silentLogger } from "../helpers/logger.ts";
import { assertOnlyTags, PAGE_TAGS } from "../helpers/markup.ts";
import { headerValues, rawExchange } from "../helpers/raw-http.ts";

const XSS = "<script>alert(1)</script>";
const ODD = "<b>tea</b> \u2028 \ud800 \u0000 \"quoted\" 'single' & amp";

let dir = "";

function makeApp(debug: boolean): Phial {
  const app = new Phial({
    rootPath: dir,
    staticFolder: "static",
    logger: silentLogger(),
    config: { debug, trustedHosts: ["localhost"] },
  });
  app.get("/abort", (req) => abort(403, req.query.get("x") ?? ""));
  app.get("/boom", (req) => {
    throw new Error(`<img src=x onerror=alert(1)> ${req.query.get("x")}`);
  });
  app.get("/teapot", () => {
    throw new HTTPError(418, ODD);
  });
  app.post("/json", (req) => req.json());
  app.post("/bytes", async (req) => (await req.bytes()).length);
  app.get("/only-get", () => "x");
  // A hook takes the debug app off the fast path, so both ways of answering an error are checked.
  if (debug) app.afterRequest((res) => res);
  return app;
}

/** One request that ends in an error page, and the status it must have. */
interface Case {
  readonly name: string;
  readonly method: string;
  readonly target: string;
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Text from the request that must appear in the page, escaped in HTML, exact in JSON. */
  readonly echoed?: string;
}

const CASES: readonly Case[] = [
  { name: "404 for a path holding markup", method: "GET", target: `/${XSS}`, status: 404 },
  {
    name: "404 for an encoded one",
    method: "GET",
    target: "/%3Cscript%3Ealert(1)%3C/script%3E",
    status: 404,
  },
  { name: "405 with Allow", method: "POST", target: "/only-get", status: 405 },
  { name: "400 malformed path", method: "GET", target: "/%zz<svg/onload=alert(1)>", status: 400 },
  {
    name: "400 untrusted Host",
    method: "GET",
    target: "/only-get",
    status: 400,
    headers: { host: `${XSS}.example` },
  },
  {
    name: "415 quoting a Content-Type with markup",
    method: "POST",
    target: "/json",
    status: 415,
    headers: { "content-type": `text/${XSS}` },
    body: "1",
    echoed: `text/${XSS}`,
  },
  {
    name: "415 quoting a charset",
    method: "POST",
    target: "/json",
    status: 415,
    headers: { "content-type": "application/json; charset=<svg>" },
    body: "1",
    echoed: "<svg>",
  },
  {
    name: "400 bad JSON",
    method: "POST",
    target: "/json",
    status: 400,
    headers: { "content-type": "application/json" },
    body: XSS,
  },
  {
    name: "413 body too large",
    method: "POST",
    target: "/bytes",
    status: 413,
    headers: { "content-type": "text/plain" },
    body: "x".repeat(2 * 1024 * 1024),
  },
  {
    name: "403 abort() with a description from the query",
    method: "GET",
    target: `/abort?x=${encodeURIComponent(XSS)}`,
    status: 403,
    echoed: XSS,
  },
  {
    name: "418 with quotes, U+2028, a lone surrogate and NUL",
    method: "GET",
    target: "/teapot",
    status: 418,
    echoed: "<b>tea</b>",
  },
  {
    name: "500 from a thrown Error",
    method: "GET",
    target: `/boom?x=${encodeURIComponent(XSS)}`,
    status: 500,
  },
  {
    name: "416 from a static file",
    method: "GET",
    target: "/static/a.txt",
    status: 416,
    headers: { range: "bytes=999-" },
  },
];

// A debug page adds the traceback's <pre>.
const ALLOWED_TAGS = [...PAGE_TAGS, "<pre>", "</pre>"];
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

interface Page {
  readonly status: number;
  readonly header: (name: string) => string | null;
  readonly body: string;
}

function checkPage(c: Case, page: Page, json: boolean, debug: boolean): void {
  const what = `${c.name} (${json ? "JSON" : "HTML"}${debug ? ", debug" : ""})`;
  assert.equal(page.status, c.status, `${what}: ${page.body.slice(0, 120)}`);
  if (c.echoed === undefined && !(debug && c.status === 500)) {
    // Paths, hosts, methods and bodies are never part of a default page, escaped or not.
    assert.doesNotMatch(page.body, /alert|svg|onload/, `${what}: echoes the request`);
  }
  assert.equal(page.header("x-content-type-options"), "nosniff", what);
  const type = page.header("content-type") ?? "";
  if (json) {
    assert.equal(type, "application/json", what);
    const parsed = JSON.parse(page.body) as { error: Record<string, unknown> };
    assert.equal(parsed.error.status, c.status, what);
    assert.match(String(parsed.error.code), /^[a-z_]+$/, what);
    if (c.echoed !== undefined)
      assert.ok(String(parsed.error.description).includes(c.echoed), what);
    if (c.status === 418) assert.equal(parsed.error.description, ODD, `${what}: round trip`);
    if (!debug) assert.equal(parsed.error.detail, undefined, `${what}: no detail without debug`);
    return;
  }
  assert.equal(type, "text/html; charset=utf-8", what);
  assertOnlyTags(page.body, ALLOWED_TAGS, what);
  assert.doesNotMatch(page.body, /<script|<svg|<img|<b>/i, what);
  if (c.echoed !== undefined) {
    const escaped = c.echoed.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
    assert.ok(page.body.includes(escaped), `${what}: ${escaped} not in ${page.body}`);
  }
  if (c.status === 500 && !debug) assert.doesNotMatch(page.body, /Error:|onerror|\bat /, what);
}

function rawRequest(c: Case, accept: string | undefined): Buffer {
  const headers: Record<string, string> = { host: "localhost", ...c.headers };
  if (accept !== undefined) headers.accept = accept;
  const body = Buffer.from(c.body ?? "");
  if (c.body !== undefined) headers["content-length"] = String(body.length);
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  const head = `${c.method} ${c.target} HTTP/1.1\r\n${lines.join("")}connection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

const apps: Phial[] = [];
const ports = new Map<boolean, number>();

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "phial-errors-"));
  mkdirSync(path.join(dir, "static"));
  writeFileSync(path.join(dir, "static", "a.txt"), "short");
  for (const debug of [false, true]) {
    const app = makeApp(debug);
    await app.listen({ port: 0 });
    apps.push(app);
    ports.set(debug, app.address()?.port ?? 0);
  }
});

after(async () => {
  for (const app of apps) await app.close({ timeout: 100 });
  rmSync(dir, { recursive: true, force: true });
});

for (const debug of [false, true]) {
  describe(`default error pages over a raw socket${debug ? " in debug" : ""}`, () => {
    for (const c of CASES) {
      test(`${c.name}: escaped, charset, nosniff, valid JSON`, async () => {
        const port = ports.get(debug) ?? 0;
        for (const accept of [undefined, "application/json"]) {
          const answer = await rawExchange(port, rawRequest(c, accept));
          const header = (name: string) => headerValues(answer, name)[0] ?? null;
          checkPage(
            c,
            { status: answer.status, header, body: answer.body },
            accept !== undefined,
            debug,
          );
          if (c.status === 405) assert.equal(header("allow"), "GET, HEAD, OPTIONS");
        }
      });
    }

    test("HEAD of a 404 carries the same headers and no body", async () => {
      const answer = await rawExchange(
        ports.get(debug) ?? 0,
        `HEAD /${XSS} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(answer.status, 404);
      assert.deepEqual(headerValues(answer, "x-content-type-options"), ["nosniff"]);
      assert.deepEqual(headerValues(answer, "content-type"), ["text/html; charset=utf-8"]);
      assert.equal(answer.body, "");
    });
  });
}

test("a debug 500 shows the error's stack, escaped inside <pre>; the JSON detail is the same text", async () => {
  const port = ports.get(true) ?? 0;
  const c = CASES.find((x) => x.status === 500) as Case;
  const html = await rawExchange(port, rawRequest(c, undefined));
  assert.match(html.body, /<pre>Error: &lt;img src=x onerror=alert\(1\)&gt; &lt;script&gt;/);
  const json = await rawExchange(port, rawRequest(c, "application/json"));
  const detail = (JSON.parse(json.body) as { error: { detail: string } }).error.detail;
  assert.ok(detail.startsWith(`Error: <img src=x onerror=alert(1)> ${XSS}`), detail);
});

for (const kind of clientKinds) {
  test(`the same error pages ${kind.name}: escaped, charset, nosniff, valid JSON`, async () => {
    for (const debug of [false, true]) {
      const client = await kind.create(makeApp(debug));
      try {
        for (const c of CASES) {
          for (const accept of [undefined, "application/json"]) {
            const headers: Record<string, string> = { ...c.headers };
            if (accept !== undefined) headers.accept = accept;
            const res = await client.open(c.method, c.target, { headers, body: c.body });
            const page = {
              status: res.status,
              header: (n: string) => res.headers.get(n),
              body: res.text(),
            };
            checkPage(c, page, accept !== undefined, debug);
          }
        }
      } finally {
        await client.close();
      }
    }
  });
}

test("a misconfigured app's 500 is plain text with a charset and nosniff, and shows no detail", async () => {
  const bad = new Phial({ staticFolder: null, logger: silentLogger() });
  bad.config.maxFormParts = 0;
  for (const kind of clientKinds) {
    const client = await kind.create(bad);
    try {
      const res = await client.get(`/${XSS}`);
      assert.equal(res.status, 500);
      assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", kind.name);
      assert.doesNotMatch(res.text(), /maxFormParts|<script/);
    } finally {
      await client.close();
    }
  }
});
