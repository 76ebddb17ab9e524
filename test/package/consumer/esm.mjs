// A plain-JavaScript ES module user of the installed package: a real server on a real socket.
import assert from "node:assert/strict";
import { Phial } from "phial";
import { TestClient } from "phial/testing";

const app = new Phial();
app.get("/users/<int:id>", { endpoint: "user" }, (req) => ({ id: req.params.id }));

const server = await app.listen({ port: 0 });
try {
  const { port } = server.address();
  const res = await fetch(`http://127.0.0.1:${port}/users/7`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { id: 7 });
  assert.equal((await fetch(`http://127.0.0.1:${port}/users/x`)).status, 404);
  assert.equal(app.urlFor("user", { id: 3 }), "/users/3");
  const viaClient = await new TestClient(app).get("/users/8");
  assert.deepEqual(viaClient.json(), { id: 8 });
} finally {
  await app.close();
}
console.log("esm ok");
