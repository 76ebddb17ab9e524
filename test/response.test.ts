import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { parseSetCookie } from "cookie";
import { Response, ResponseHeaders } from "../src/response.ts";

test("defaults: status 200, Content-Type chosen from the body", () => {
  assert.equal(new Response().status, 200);
  assert.equal(new Response().contentType, null, "no body, no type");
  assert.equal(new Response("hi").contentType, "text/html; charset=utf-8");
  assert.equal(new Response(new Uint8Array([1])).contentType, "application/octet-stream");
  assert.equal(new Response(Readable.from(["x"])).contentType, "application/octet-stream");
  assert.equal(
    new Response(new ReadableStream<Uint8Array>()).contentType,
    "application/octet-stream",
  );
  assert.equal(new Response((function* () {})()).contentType, "text/html; charset=utf-8");
  assert.equal(
    new Response("{}", { headers: { "content-type": "application/json" } }).contentType,
    "application/json",
  );
});

test("init: status and every kind of headers", () => {
  const r = new Response("x", { status: 201, headers: [["Location", "/a"]] });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get("location"), "/a");
  assert.ok(r.headers instanceof ResponseHeaders);
  const web = new Headers({ "X-A": "1" });
  assert.equal(new Response(null, { headers: web }).headers.get("x-a"), "1");
  assert.equal(new Response(null, { headers: r.headers }).headers.get("Location"), "/a");
});

test("an impossible status is refused at construction", () => {
  for (const status of [0, 99, 1000, 200.5, Number.NaN]) {
    assert.throws(() => new Response(null, { status }), RangeError, String(status));
  }
  assert.equal(new Response(null, { status: 599 }).status, 599);
});

test("contentType and mimetype", () => {
  const r = new Response("x");
  r.contentType = "text/plain";
  assert.equal(r.contentType, "text/plain; charset=utf-8", "text types get a charset");
  r.contentType = "text/csv; charset=latin1";
  assert.equal(r.contentType, "text/csv; charset=latin1");
  r.mimetype = "Application/XML";
  assert.equal(r.contentType, "Application/XML");
  assert.equal(r.mimetype, "application/xml");
  r.contentType = "text/html; charset=utf-8";
  assert.equal(r.mimetype, "text/html");
  r.contentType = null;
  assert.equal(r.mimetype, null);
  assert.equal(r.headers.has("content-type"), false);
  assert.throws(() => {
    r.contentType = "text/html\r\nX-Evil: 1";
  }, TypeError);
});

test("setCookie: Path=/, HttpOnly and SameSite=Lax by default, cookie's option names", () => {
  const r = new Response("x");
  r.setCookie("sid", "abc");
  r.setCookie("theme", "dark mode", {
    maxAge: 3600,
    httpOnly: false,
    sameSite: "strict",
    secure: true,
    domain: "example.com",
    path: "/app",
    partitioned: true,
    priority: "high",
  });
  const [first, second] = r.headers.getAll("set-cookie");
  assert.equal(first, "sid=abc; Path=/; HttpOnly; SameSite=Lax");
  const parsed = parseSetCookie(second ?? "");
  assert.equal(parsed.name, "theme");
  assert.equal(parsed.value, "dark mode", "values are encoded by cookie and decode back");
  assert.equal(parsed.maxAge, 3600);
  assert.equal(parsed.httpOnly, undefined);
  assert.equal(parsed.sameSite, "strict");
  assert.equal(parsed.secure, true);
  assert.equal(parsed.domain, "example.com");
  assert.equal(parsed.path, "/app");
  assert.equal(parsed.partitioned, true);
  assert.equal(parsed.priority, "high");
  assert.match(second ?? "", /^theme=dark%20mode; /);
});

test("setCookie refuses what cookie refuses (no header injection)", () => {
  const r = new Response("x");
  assert.throws(() => r.setCookie("a;b", "1"));
  assert.throws(() => r.setCookie("a", "1", { path: "/\r\nX-Evil: 1" }));
  assert.throws(() => r.setCookie("a", "1", { domain: "evil.com; Secure" }));
  assert.equal(
    r.setCookie("a", "x\r\ny").headers.get("set-cookie"),
    "a=x%0D%0Ay; Path=/; HttpOnly; SameSite=Lax",
  );
});

test("deleteCookie expires it with Max-Age=0 on the same path and domain", () => {
  const r = new Response("x");
  r.deleteCookie("sid");
  r.deleteCookie("pref", { path: "/app", domain: "example.com" });
  const [a, b] = r.headers.getAll("Set-Cookie").map((line) => parseSetCookie(line));
  assert.equal(a?.name, "sid");
  assert.equal(a?.value, "");
  assert.equal(a?.maxAge, 0);
  assert.equal(a?.expires?.getTime(), 0);
  assert.equal(a?.path, "/");
  assert.equal(b?.path, "/app");
  assert.equal(b?.domain, "example.com");
  assert.equal(b?.maxAge, 0);
});
