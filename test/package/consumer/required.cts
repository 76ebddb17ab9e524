// A CommonJS TypeScript user: `import` here compiles to require(), which TypeScript accepts for
// an ES module under `module: node20` or `nodenext` (TypeScript 5.8 and later), not `node16`.
import { Phial } from "phial";
import { TestClient } from "phial/testing";

const app = new Phial();
app.get("/items/<int:id>", (req) => ({ next: req.params.id + 1 }));

export async function check(): Promise<unknown> {
  return (await new TestClient(app).get("/items/1")).json();
}
