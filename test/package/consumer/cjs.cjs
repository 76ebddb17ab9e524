// A CommonJS user: require() of the ESM-only package works through Node's require(esm).
const assert = require("node:assert/strict");
const { Phial, NotFound } = require("phial");
const { TestClient } = require("phial/testing");

const app = new Phial();
app.get("/", () => "hello from require");
app.get("/missing", () => {
  throw new NotFound();
});

(async () => {
  const client = new TestClient(app);
  const res = await client.get("/");
  assert.equal(res.status, 200);
  assert.equal(res.text(), "hello from require");
  assert.equal((await client.get("/missing")).status, 404);
  console.log("cjs ok");
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
