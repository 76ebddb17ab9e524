/**
 * The shared subset: the same expectations in-process (TestClient) and over a real socket
 * (SocketClient), so the test client cannot drift from what a real server does.
 */
import assert from "node:assert/strict";
import { abort, Phial, Response } from "../../src/index.ts";
import { forBothClients } from "../helpers/clients.ts";
import { silentLogger } from "../helpers/logger.ts";

function makeApp(): Phial {
  const app = new Phial({ logger: silentLogger(), config: { maxContentLength: 64 } });
  app.get("/", () => "home");
  app.get("/users/new", () => "new user form");
  app.get("/users/<int:id>", (req) => ({ id: req.params.id }));
  app.get("/users/<name>", (req) => ({ name: req.params.name }));
  app.get("/dir/", () => "dir");
  app.route("/things/:id", { methods: ["PUT"] }, () => "put");
  app.get("/things/:id", () => "thing");
  app.post("/echo", async (req) => ({ got: await req.json() }));
  app.post("/form", async (req) => ({ name: (await req.form()).get("name") }));
  app.get("/cookie", () => {
    const res = new Response("set");
    res.setCookie("session", "abc", { httpOnly: true, sameSite: "lax" });
    return res;
  });
  app.get("/whoami", (req) => ({ session: req.cookies.session ?? null }));
  app.get("/teapot", () => abort(418, "Short & <stout>"));
  app.get("/boom", () => {
    throw new Error("hidden");
  });
  return app;
}

forBothClients("shared: routing", makeApp, async (client) => {
  assert.equal((await client.get("/")).text(), "home");
  assert.equal((await client.get("/users/new")).text(), "new user form");
  assert.deepEqual((await client.get("/users/7")).json(), { id: 7 });
  assert.deepEqual((await client.get("/users/ada")).json(), { name: "ada" });
  const redirect = await client.get("/dir?x=1");
  assert.equal(redirect.status, 308);
  assert.equal(redirect.headers.get("location"), "/dir/?x=1");
  const wrong = await client.post("/things/1");
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "GET, HEAD, OPTIONS, PUT");
  const options = await client.options("/things/1");
  assert.equal(options.status, 200);
  assert.equal(options.headers.get("allow"), "GET, HEAD, OPTIONS, PUT");
  const head = await client.head("/users/7");
  assert.equal(head.status, 200);
  assert.equal(head.text(), "");
  assert.equal((await client.get("/users/%ZZ")).status, 400);
  assert.equal((await client.get("/nope")).status, 404);
});

forBothClients("shared: bodies and limits", makeApp, async (client) => {
  assert.deepEqual((await client.post("/echo", { json: { a: 1 } })).json(), { got: { a: 1 } });
  assert.equal((await client.post("/echo", { body: "{}" })).status, 415);
  assert.equal(
    (await client.post("/echo", { body: "{", headers: { "content-type": "application/json" } }))
      .status,
    400,
  );
  assert.equal((await client.post("/echo", { json: { big: "x".repeat(100) } })).status, 413);
  assert.deepEqual((await client.post("/form", { form: { name: "Ada" } })).json(), { name: "Ada" });
});

forBothClients("shared: errors and cookies", makeApp, async (client) => {
  const teapot = await client.get("/teapot");
  assert.equal(teapot.status, 418);
  assert.match(teapot.text(), /Short &amp; &lt;stout&gt;/);
  const json = await client.get("/teapot", { headers: { accept: "application/json" } });
  assert.equal((json.json() as { error: { code: string } }).error.code, "im_a_teapot");
  const boom = await client.get("/boom");
  assert.equal(boom.status, 500);
  assert.doesNotMatch(boom.text(), /hidden/);
  await client.get("/cookie");
  assert.deepEqual((await client.get("/whoami")).json(), { session: "abc" });
});
