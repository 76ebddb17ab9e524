// A TypeScript user: compiled by `tsc --noEmit` under node16 and bundler resolution. Each
// expected error below fails the compile if the types degrade to `any` or stop resolving.
import { HTTPError, Phial, type Request } from "phial";
import { TestClient } from "phial/testing";

const app = new Phial({ config: { debug: false } });

app.get("/users/<int:id>/<slug>", (req) => {
  const id: number = req.params.id;
  const slug: string = req.params.slug;
  // @ts-expect-error: an int converter gives a number, not a string.
  const wrong: string = req.params.id;
  // @ts-expect-error: the route has no such parameter.
  req.params.nope;
  return { id, slug, wrong };
});

function who(req: Request): string {
  return req.headers["user-agent"] ?? "unknown";
}
app.get("/who", who);

// Members marked @internal are stripped from the published declarations.
// @ts-expect-error: the route records are phial's, not part of the typed surface.
app.routes;

const err: HTTPError = new HTTPError(418);
const status: number = err.status;

export async function check(): Promise<number> {
  const res = await new TestClient(app).get("/users/1/ada");
  return res.status + status;
}
