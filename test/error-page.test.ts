import assert from "node:assert/strict";
import { test } from "node:test";
import { errorResponse } from "../src/error-page.ts";
import { HTTPError, InternalServerError, MethodNotAllowed, NotFound } from "../src/errors.ts";

test("HTML page: doctype, title with status, h1, description, charset, nosniff", () => {
  const r = errorResponse(new NotFound("No such user."), { json: false });
  const body = String(r.body);
  assert.equal(r.status, 404);
  assert.equal(r.contentType, "text/html; charset=utf-8");
  assert.equal(r.headers.get("x-content-type-options"), "nosniff");
  assert.match(body, /^<!doctype html>/);
  assert.match(body, /<title>404 Not Found<\/title>/);
  assert.match(body, /<h1>Not Found<\/h1>/);
  assert.match(body, /<p>No such user\.<\/p>/);
  assert.doesNotMatch(body, /<pre>/, "no detail unless asked");
});

test("everything echoed into HTML is escaped", () => {
  const r = errorResponse(new HTTPError(400, `<script>alert("x")</script> & 'more'`), {
    json: false,
    debugDetail: "Error: <img src=x onerror=alert(1)>\n    at view",
  });
  const body = String(r.body);
  assert.doesNotMatch(body, /<script>|<img/);
  assert.match(body, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &#39;more&#39;/);
  assert.match(body, /<pre>Error: &lt;img src=x onerror=alert\(1\)&gt;\n {4}at view<\/pre>/);
});

test("JSON body: status, code, title, description; detail only when given", () => {
  const r = errorResponse(new NotFound(), { json: true });
  assert.equal(r.contentType, "application/json");
  assert.equal(r.headers.get("X-Content-Type-Options"), "nosniff");
  const parsed = JSON.parse(String(r.body)) as { error: Record<string, unknown> };
  assert.deepEqual(Object.keys(parsed.error), ["status", "code", "title", "description"]);
  assert.equal(parsed.error.status, 404);
  assert.equal(parsed.error.code, "not_found");
  assert.equal(parsed.error.title, "Not Found");
  assert.equal(typeof parsed.error.description, "string");
  const debug = errorResponse(new InternalServerError(), { json: true, debugDetail: "trace" });
  const withDetail = JSON.parse(String(debug.body)) as { error: Record<string, unknown> };
  assert.equal(withDetail.error.detail, "trace");
  assert.equal(debug.status, 500);
});

test("the error's headers are copied (Allow on 405), but cannot change the page's type", () => {
  const e = new MethodNotAllowed(undefined, {
    headers: { Allow: "GET, HEAD", "Content-Type": "image/svg+xml", "X-Content-Type-Options": "" },
  });
  const r = errorResponse(e, { json: false });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get("allow"), "GET, HEAD");
  assert.equal(r.contentType, "text/html; charset=utf-8");
  assert.equal(r.headers.get("x-content-type-options"), "nosniff");
});

test("an invalid header on the error is skipped, the page still comes out", () => {
  const e = new HTTPError(503, undefined, {
    headers: { "Retry-After": "5\r\nX-Evil: 1", "X-Ok": "1" },
  });
  const r = errorResponse(e, { json: false });
  assert.equal(r.status, 503);
  assert.equal(r.headers.has("retry-after"), false);
  assert.equal(r.headers.get("x-ok"), "1");
});
