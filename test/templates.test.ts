import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  abort,
  Blueprint,
  ContextError,
  g,
  NunjucksMissing,
  Phial,
  type PhialOptions,
  renderTemplate,
  renderTemplateString,
  SetupError,
  TemplateError,
  TemplateNotFound,
} from "../src/index.ts";
import { loadNunjucks } from "../src/internal/nunjucks.ts";
import { Templates } from "../src/templates.ts";
import { silentLogger } from "./helpers/logger.ts";

let dir = "";

function write(relative: string, content: string): void {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "phial-templates-"));
  write(
    "templates/base.html",
    "<title>{% block title %}Site{% endblock %}</title><main>{% block body %}{% endblock %}</main>",
  );
  write(
    "templates/index.html",
    '{% extends "base.html" %}{% block title %}Posts{% endblock %}' +
      '{% block body %}{% for p in posts %}{% include "post.html" %}{% endfor %}{% endblock %}',
  );
  write("templates/post.html", "<p>{{ p.title }}</p>");
  write("templates/hello.html", "Hello {{ name }}!");
  write("templates/raw.html", "{{ html | safe }}|{{ html }}");
  write("templates/broken-include.html", 'before {% include "gone.html" %}');
  write("admin/templates/admin/panel.html", "panel of {{ who }}");
  write("admin/templates/hello.html", "blueprint hello");
  write("other/hello.html", "other folder: {{ name }}");
  // A sibling of the template folder sharing its prefix, which nunjucks' own check lets through.
  write("templates-secret/key.txt", "SECRET");
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function makeApp(options: PhialOptions = {}): Phial & { sink: ReturnType<typeof silentLogger> } {
  const sink = silentLogger();
  const app = new Phial({ rootPath: dir, logger: sink, ...options });
  return Object.assign(app, { sink });
}

describe("rendering templates", () => {
  test("renderTemplate uses the current request with context locals", async () => {
    const app = makeApp({ contextLocals: true });
    app.get("/", () => renderTemplate("hello.html", { name: "Ann" }));
    const res = await app.testClient().get("/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await res.text(), "Hello Ann!");
  });

  test("req.renderTemplate works without context locals", async () => {
    const app = makeApp();
    app.get("/", (req) => req.renderTemplate("hello.html", { name: "Bo" }));
    app.get("/local", () => renderTemplate("hello.html"));
    const client = app.testClient();
    assert.equal(await (await client.get("/")).text(), "Hello Bo!");
    // The context-local form says how to turn context locals on.
    assert.equal((await client.get("/local")).status, 500);
    const [, fields] = app.sink.errors[0] ?? [];
    assert.ok(fields?.err instanceof ContextError);
    assert.match(fields.err.message, /renderTemplate\(\)[\s\S]*contextLocals: true/);
  });

  test("renderTemplateString and req.renderTemplateString", async () => {
    const app = makeApp({ contextLocals: true });
    app.get("/a", () => renderTemplateString("{{ 6 * 7 }} {{ x }}", { x: "<i>" }));
    app.get("/b", (req) => req.renderTemplateString("{{ request.method }}"));
    const client = app.testClient();
    assert.equal(await (await client.get("/a")).text(), "42 &lt;i&gt;");
    assert.equal(await (await client.get("/b")).text(), "GET");
  });

  test("user data is escaped; |safe is not", async () => {
    const app = makeApp();
    const html = '<script>alert("x")</script>';
    app.get("/", (req) => req.renderTemplate("raw.html", { html }));
    assert.equal(
      await (await app.testClient().get("/")).text(),
      `${html}|&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;`,
    );
  });

  test("inheritance with blocks and includes from the folder", async () => {
    const app = makeApp();
    app.get("/", (req) =>
      req.renderTemplate("index.html", { posts: [{ title: "One" }, { title: "<b>Two</b>" }] }),
    );
    assert.equal(
      await (await app.testClient().get("/")).text(),
      "<title>Posts</title><main><p>One</p><p>&lt;b&gt;Two&lt;/b&gt;</p></main>",
    );
  });

  test("templateFolder is resolved against rootPath", async () => {
    const app = makeApp({ templateFolder: "other" });
    assert.equal(app.templateFolder, path.join(dir, "other"));
    app.get("/", (req) => req.renderTemplate("hello.html", { name: "Cy" }));
    assert.equal(await (await app.testClient().get("/")).text(), "other folder: Cy");
  });
});

describe("template globals", () => {
  test("request, urlFor, config, g and session are in every template", async () => {
    const app = makeApp({ contextLocals: true, config: { site: "demo" } });
    app.get("/users/<int:id>", function user(req) {
      g.user = "ann";
      return req.renderTemplateString(
        "{{ request.path }}|{{ request.query.get('tab') }}|{{ urlFor('user', id=7, tab='x') }}|" +
          "{{ urlFor('user', { id: 8 }) }}|{{ config.site }}|{{ g.user }}|" +
          "{{ session.get('user') | default('anon') }}|{{ session.size }}",
      );
    });
    assert.equal(
      await (await app.testClient().get("/users/3?tab=posts")).text(),
      "/users/3|posts|/users/7?tab=x|/users/8|demo|ann|anon|0",
    );
  });

  test("the context wins over a global of the same name", async () => {
    const app = makeApp();
    app.get("/", (req) => req.renderTemplateString("{{ config }}", { config: "mine" }));
    assert.equal(await (await app.testClient().get("/")).text(), "mine");
  });

  test("getFlashedMessages gives [] until flash exists, and passes options through", async () => {
    const app = makeApp();
    app.get("/none", (req) => req.renderTemplateString("{{ getFlashedMessages() | length }}"));
    app.get("/some", (req) => {
      // Stands in for the flash implementation: the global must call it with clean options.
      Object.assign(req, {
        getFlashedMessages: (options?: Record<string, unknown>) => [JSON.stringify(options)],
      });
      return req.renderTemplateString("{{ getFlashedMessages(withCategories=true)[0] }}");
    });
    const client = app.testClient();
    assert.equal(await (await client.get("/none")).text(), "0");
    assert.equal(await (await client.get("/some")).text(), "{&quot;withCategories&quot;:true}");
  });
});

describe("template errors", () => {
  test("a missing template is a logged 500 naming it and the folder, without the path for the client", async () => {
    const app = makeApp();
    app.get("/", (req) => req.renderTemplate("nope.html"));
    const res = await app.testClient().get("/");
    assert.equal(res.status, 500);
    const body = await res.text();
    assert.doesNotMatch(body, /nope\.html|templates/);
    const err = app.sink.errors[0]?.[1].err;
    assert.ok(err instanceof TemplateNotFound);
    assert.equal(err.code, "template_not_found");
    assert.equal(err.template, "nope.html");
    assert.deepEqual(err.searchPath, [path.join(dir, "templates")]);
    assert.match(err.message, /"nope\.html".*templates/);
  });

  test("debug shows the missing template on the error page", async () => {
    const app = makeApp({ config: { debug: true } });
    app.get("/", (req) => req.renderTemplate("nope.html"));
    assert.match(await (await app.testClient().get("/")).text(), /nope\.html/);
  });

  test("a missing include is TemplateNotFound too; `ignore missing` still works", async () => {
    const app = makeApp();
    app.get("/", (req) => req.renderTemplate("broken-include.html"));
    app.get("/ok", (req) => req.renderTemplateString('a{% include "gone.html" ignore missing %}b'));
    const client = app.testClient();
    assert.equal((await client.get("/")).status, 500);
    const err = app.sink.errors[0]?.[1].err;
    assert.ok(err instanceof TemplateNotFound);
    assert.equal(err.template, "gone.html");
    assert.equal(await (await client.get("/ok")).text(), "ab");
  });

  test("names leaving the folder are not found, even into a sibling folder sharing its prefix", async () => {
    const app = makeApp();
    const templates = ["../templates-secret/key.txt", "../other/hello.html", "/etc/hostname"];
    for (const [i, name] of templates.entries()) {
      app.get(`/${i}`, (req) => req.renderTemplate(name));
    }
    const client = app.testClient();
    for (const i of templates.keys()) {
      const res = await client.get(`/${i}`);
      assert.equal(res.status, 500);
      assert.doesNotMatch(await res.text(), /SECRET|other folder/);
    }
    assert.ok(app.sink.errors.every(([, f]) => f.err instanceof TemplateNotFound));
  });

  test("syntax errors become TemplateError; an HTTP error raised inside a template keeps its status", async () => {
    const app = makeApp();
    app.get("/syntax", (req) => req.renderTemplateString("{% if %}"));
    app.get("/abort", (req) =>
      req.renderTemplateString("{{ deny() }}", { deny: () => abort(403) }),
    );
    const client = app.testClient();
    assert.equal((await client.get("/syntax")).status, 500);
    assert.ok(app.sink.errors[0]?.[1].err instanceof TemplateError);
    assert.equal((await client.get("/abort")).status, 403);
  });
});

describe("reloading", () => {
  test("templates reload when changed with templatesAutoReload, and are cached without", async () => {
    for (const [config, reloads] of [
      [{ templatesAutoReload: true }, true],
      [{ debug: true }, true],
      [{ debug: true, templatesAutoReload: false }, false],
      [{}, false],
    ] as const) {
      const name = `live-${String(reloads)}-${Object.keys(config).join("-")}.html`;
      write(`templates/${name}`, "first");
      const app = makeApp({ config });
      app.get("/", (req) => req.renderTemplate(name));
      const client = app.testClient();
      assert.equal(await (await client.get("/")).text(), "first");
      write(`templates/${name}`, "second");
      assert.equal(await (await client.get("/")).text(), reloads ? "second" : "first", name);
    }
  });
});

describe("blueprint template folders", () => {
  test("are searched after the app's folder", async () => {
    const admin = new Blueprint("admin", {
      rootPath: path.join(dir, "admin"),
      templateFolder: "templates",
    });
    admin.get("/panel", (req) => req.renderTemplate("admin/panel.html", { who: "root" }));
    admin.get("/hello", (req) => req.renderTemplate("hello.html", { name: "app wins" }));
    const app = makeApp();
    app.registerBlueprint(admin, { urlPrefix: "/admin" });
    const client = app.testClient();
    assert.equal(await (await client.get("/admin/panel")).text(), "panel of root");
    assert.equal(await (await client.get("/admin/hello")).text(), "Hello app wins!");
  });
});

describe("the nunjucks peer", () => {
  test("a missing nunjucks is a clear error with a stable code", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "phial-no-nunjucks-"));
    try {
      assert.throws(
        () => loadNunjucks([path.join(empty, "package.json")]),
        (err: unknown) =>
          err instanceof NunjucksMissing &&
          err instanceof SetupError &&
          err.code === "nunjucks_missing" &&
          /npm install nunjucks/.test(err.message),
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test("is loaded on the first render only, and a missing one answers 500 with the error logged", async () => {
    let loads = 0;
    const missing = new Templates({
      config: makeApp().config,
      searchPath: () => [],
      load: () => {
        loads++;
        return loadNunjucks([path.join(dir, "package.json")]);
      },
    });
    const app = makeApp();
    Object.defineProperty(app, "templates", { value: missing });
    app.get("/plain", () => "no templates here");
    app.get("/", (req) => req.renderTemplateString("x"));
    const client = app.testClient();
    assert.equal(await (await client.get("/plain")).text(), "no templates here");
    assert.equal(loads, 0);
    assert.equal((await client.get("/")).status, 500);
    assert.equal(loads, 1);
    assert.ok(app.sink.errors[0]?.[1].err instanceof NunjucksMissing);
  });

  test("app.templates.environment takes filters", async () => {
    const app = makeApp();
    app.templates.environment.addFilter("shout", (s: string) => `${s.toUpperCase()}!`);
    app.get("/", (req) => req.renderTemplateString("{{ 'hi' | shout }}"));
    assert.equal(await (await app.testClient().get("/")).text(), "HI!");
  });
});
