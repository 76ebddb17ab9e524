import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Phial } from "../../src/index.ts";

function app(): Phial {
  const a = new Phial();
  a.get("/users/new", () => "static");
  a.get("/users/<int:id>", (req) => ({ int: req.params.id }));
  a.get("/users/<name>", (req) => ({ name: req.params.name }));
  a.get("/files/<path:p>", (req) => ({ path: req.params.p }));
  a.get("/dir/", () => "dir with slash");
  a.get("/noslash", () => "no slash");
  a.route("/things/:id", { methods: ["PUT", "DELETE"] }, () => "changed");
  a.get("/things/:id", () => "thing");
  a.get("/seg/:id", (req) => ({ id: req.params.id }));
  return a;
}

describe("routing through the dispatcher", () => {
  test("priority: static, then converters, then plain params", async () => {
    const client = app().testClient();
    assert.equal(await (await client.get("/users/new")).text(), "static");
    assert.deepEqual(await (await client.get("/users/42")).json(), { int: 42 });
    assert.deepEqual(await (await client.get("/users/ada")).json(), { name: "ada" });
    assert.deepEqual(await (await client.get("/files/a/b/c.txt")).json(), { path: "a/b/c.txt" });
  });

  test("strict slashes: 308 to the slash URL with the query kept; no match the other way", async () => {
    const client = app().testClient();
    const res = await client.get("/dir?x=1&y=2");
    assert.equal(res.status, 308);
    assert.equal(res.headers.get("location"), "/dir/?x=1&y=2");
    assert.equal((await client.get("/noslash/")).status, 404);
    const followed = await client.get("/dir", { followRedirects: true });
    assert.equal(await followed.text(), "dir with slash");
  });

  test("automatic OPTIONS lists the methods of every rule for the path", async () => {
    const client = app().testClient();
    const res = await client.options("/things/1");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("allow"), "DELETE, GET, HEAD, OPTIONS, PUT");
  });

  test("405 with Allow; HEAD answered by GET routes", async () => {
    const client = app().testClient();
    const res = await client.post("/things/1");
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "DELETE, GET, HEAD, OPTIONS, PUT");
    const head = await client.head("/things/1");
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "5");
  });

  test("malformed percent-encoding is 400; %2F stays inside its segment", async () => {
    const client = app().testClient();
    assert.equal((await client.get("/users/%E0%A4%A")).status, 400);
    assert.equal((await client.get("/seg/%zz")).status, 400);
    assert.deepEqual(await (await client.get("/seg/a%2Fb")).json(), { id: "a/b" });
    assert.equal((await client.get("/seg/a/b")).status, 404);
  });

  test("query string and fragment never reach routing", async () => {
    const client = app().testClient();
    assert.deepEqual(await (await client.get("/seg/x?id=y")).json(), { id: "x" });
    assert.deepEqual(await (await client.get("/seg/x#frag")).json(), { id: "x" });
  });

  test("a strict-slash redirect never becomes a protocol-relative (off-site) URL", async () => {
    const a = new Phial();
    a.get("//evil.example/", () => "a rule with an empty first segment");
    a.get("/<path:p>/", () => "x");
    const client = a.testClient();
    const res = await client.get("//evil.example?q=1");
    assert.equal(res.status, 308);
    assert.equal(res.headers.get("location"), "/evil.example/?q=1");
    // path converters never take an empty segment, so "//x" cannot reach "/<path:p>/" at all.
    assert.equal((await client.get("///x")).status, 404);
  });

  test("a malformed URL is 400 before any beforeRequest hook; afterRequest and the 400 handler see it", async () => {
    const a = new Phial();
    const seen: string[] = [];
    a.beforeRequest((req) => void seen.push(`before ${req.path}`));
    a.afterRequest((res, req) => {
      seen.push(`after ${req.path} ${res.status}`);
      return res;
    });
    a.errorHandler(400, (err) => `bad: ${err.description}`);
    a.get("/<name>", (req) => req.params.name);
    const res = await a.testClient().get("/bad%ZZ");
    assert.equal(res.status, 400);
    assert.match(res.text(), /^bad: The URL path is malformed/);
    assert.deepEqual(seen, ["after /bad%ZZ 400"]);
  });

  test("case-sensitive", async () => {
    const client = app().testClient();
    assert.equal((await client.get("/USERS/new")).status, 404);
  });
});
