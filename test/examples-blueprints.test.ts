import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createApp } from "../examples/blueprints/app.ts";
import { startCli } from "./cli/helpers.ts";

describe("examples/blueprints", () => {
  test("the site answers HTML, the API JSON, each with its own errors", async () => {
    const client = createApp({}).testClient();
    const empty = await client.get("/");
    assert.match(empty.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(await empty.text(), /No notes yet/);

    const created = await client.post("/api/notes", {
      json: { title: "<b>first</b>", body: "hello" },
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("location"), "/api/notes/1");
    assert.deepEqual(await created.json(), { id: 1, title: "<b>first</b>", body: "hello" });
    await client.post("/api/notes", { json: { title: "second" } });

    const index = await (await client.get("/")).text();
    assert.match(index, /<a href="\/notes\/1">&lt;b&gt;first&lt;\/b&gt;<\/a>/);
    assert.match(index, /<link rel="stylesheet" href="\/assets\/site.css">/);
    assert.match(await (await client.get("/notes/2")).text(), /<h1>second<\/h1>/);
    const css = await client.get("/assets/site.css");
    assert.equal(css.status, 200);
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");

    assert.deepEqual(await (await client.get("/api/notes")).json(), {
      page: 1,
      notes: [
        { id: 2, title: "second", body: "" },
        { id: 1, title: "<b>first</b>", body: "hello" },
      ],
    });
    // API errors are JSON: a missing note, an unknown URL under /api, a wrong method, bad input.
    const cases: Array<[Promise<{ status: number; json(): Promise<unknown> }>, number, string]> = [
      [client.get("/api/notes/9"), 404, "not_found"],
      [client.get("/api/nope"), 404, "not_found"],
      [client.put("/api/notes"), 405, "method_not_allowed"],
      [client.post("/api/notes", { json: { title: "" } }), 422, "unprocessable_content"],
      [
        client.post("/api/notes", { body: "x", headers: { "content-type": "text/plain" } }),
        415,
        "unsupported_media_type",
      ],
      [client.get("/api/notes?page=0"), 422, "unprocessable_content"],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      assert.equal(res.status, status);
      assert.equal(((await res.json()) as { error: string }).error, code);
    }
    // The site's errors stay HTML pages.
    const missing = await client.get("/nope", { headers: { accept: "text/html" } });
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /<title>404 Not Found<\/title>/);
    assert.equal((await client.delete("/api/notes/1")).status, 204);
    assert.equal((await client.get("/notes/1")).status, 404);
  });

  test("settings come from PHIAL_* variables; a bad one fails at start-up naming it", async () => {
    const app = createApp({ PHIAL_SITE_NAME: "Ada's notes", PHIAL_PAGE_SIZE: "1" });
    const client = app.testClient();
    await client.post("/api/notes", { json: { title: "a" } });
    await client.post("/api/notes", { json: { title: "b" } });
    assert.deepEqual(
      ((await (await client.get("/api/notes?page=2")).json()) as { notes: unknown[] }).notes,
      [{ id: 1, title: "a", body: "" }],
    );
    assert.match(await (await client.get("/")).text(), /<title>Notes · Ada&#39;s notes<\/title>/);
    assert.throws(() => createApp({ PHIAL_PAGE_SIZE: "0" }), /config.pageSize.*PHIAL_PAGE_SIZE/);
    assert.throws(
      () => createApp({ PHIAL_MAX_CONTENT_LENGTH: "lots" }),
      /PHIAL_MAX_CONTENT_LENGTH/,
    );
  });

  test("npm run example:blueprints serves it through the phial CLI on a real port", async () => {
    const cli = startCli(["run", "examples/blueprints/app.ts", "--port", "0"], {
      env: { PHIAL_SITE_NAME: "From the environment" },
    });
    after(() => cli.child.kill("SIGKILL"));
    const [url] = await cli.waitFor(/http:\/\/127\.0\.0\.1:\d+/, 20_000);
    const home = await fetch(`${url}/`);
    assert.match(await home.text(), /From the environment/);
    const api404 = await fetch(`${url}/api/nope`);
    assert.equal(api404.status, 404);
    assert.equal(((await api404.json()) as { error: string }).error, "not_found");
    cli.child.kill("SIGTERM");
    assert.equal(await cli.exited, 0);
  });
});
