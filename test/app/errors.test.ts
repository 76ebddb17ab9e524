import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { abort, HTTPError, NotFound, Phial } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";

class ValidationError extends Error {}
class StrictValidationError extends ValidationError {}

describe("errors and error handlers", () => {
  test("default error pages: escaped HTML for browsers, JSON when preferred", async () => {
    const app = new Phial();
    app.get("/u/<name>", (req) => abort(404, `No user <${req.params.name}>`));
    const client = app.testClient();
    const html = await client.get("/u/%3Cscript%3E");
    assert.equal(html.status, 404);
    assert.equal(html.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(html.headers.get("x-content-type-options"), "nosniff");
    const body = await html.text();
    assert.match(body, /404 Not Found/);
    assert.match(body, /No user &lt;&lt;script&gt;&gt;/);
    assert.doesNotMatch(body, /<script>/);
    const json = await client.get("/u/x", { headers: { accept: "application/json" } });
    assert.equal(json.status, 404);
    const data = (await json.json()) as { error: Record<string, unknown> };
    assert.equal(data.error.status, 404);
    assert.equal(data.error.code, "not_found");
    assert.equal(data.error.description, "No user <x>");
  });

  test("the status handler wins, then the nearest class; the error's status is kept", async () => {
    const app = new Phial();
    app.errorHandler(404, () => "custom 404");
    app.errorHandler(ValidationError, (err) => ({ kind: "validation", message: err.message }));
    app.errorHandler(StrictValidationError, (err) => [
      { kind: "strict", message: err.message },
      422,
    ]);
    app.errorHandler(HTTPError, (err) => `http ${err.status}`);
    app.get("/v", () => {
      throw new ValidationError("loose");
    });
    app.get("/s", () => {
      throw new StrictValidationError("strict");
    });
    app.get("/forbidden", () => abort(403));
    const client = app.testClient();
    const missing = await client.get("/missing");
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), "custom 404");
    const v = await client.get("/v");
    assert.equal(v.status, 500);
    assert.deepEqual(await v.json(), { kind: "validation", message: "loose" });
    const s = await client.get("/s");
    assert.equal(s.status, 422);
    assert.deepEqual(await s.json(), { kind: "strict", message: "strict" });
    const f = await client.get("/forbidden");
    assert.equal(f.status, 403);
    assert.equal(await f.text(), "http 403");
  });

  test("a 500 handler catches unhandled errors with the original as cause", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger });
    app.errorHandler(500, (err) => ({ oops: true, cause: String((err.cause as Error).message) }));
    app.get("/", () => {
      throw new Error("db down");
    });
    const res = await app.testClient().get("/");
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { oops: true, cause: "db down" });
    assert.equal(logger.errors.length, 1, "the unhandled error is logged once");
  });

  test("unhandled errors: 500 without detail, details only in debug", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger });
    app.get("/", async () => {
      throw new Error("secret connection string");
    });
    const res = await app.testClient().get("/");
    assert.equal(res.status, 500);
    assert.doesNotMatch(await res.text(), /secret connection string/);
    assert.equal(logger.errors.length, 1);

    const debugApp = new Phial({ logger: silentLogger(), config: { debug: true } });
    debugApp.get("/", () => {
      throw new Error("visible <in> debug");
    });
    const dbg = await debugApp.testClient().get("/");
    assert.equal(dbg.status, 500);
    const text = await dbg.text();
    assert.match(text, /visible &lt;in&gt; debug/);
  });

  test("an error handler that throws falls back to a plain 500", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger });
    app.errorHandler(NotFound, () => {
      throw new Error("handler broke");
    });
    const client = app.testClient();
    const res = await client.get("/missing");
    assert.equal(res.status, 500);
    assert.doesNotMatch(await res.text(), /handler broke/);
    assert.equal((await client.get("/missing")).status, 500, "the app keeps answering");
  });

  test("an error handler returning undefined is a 500 too", async () => {
    const app = new Phial({ logger: silentLogger() });
    app.errorHandler(404, () => undefined);
    assert.equal((await app.testClient().get("/x")).status, 500);
  });

  test("abort headers reach the client (405 Allow from routing)", async () => {
    const app = new Phial();
    app.get("/only-get", () => "x");
    const res = await app.testClient().post("/only-get");
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, HEAD, OPTIONS");
  });
});
