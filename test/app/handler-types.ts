/**
 * Compile-time checks of the handler types (type-checked by `npm test`, never run):
 * params come from the path literal, undeclared params are errors, handlers must return a value.
 */
import { Phial, type Request } from "../../src/index.ts";

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok?: T): void {}

const app = new Phial();

app.get("/u/<int:id>/*rest", (req) => {
  expectType<Equal<typeof req.params, { id: number; rest: string[] }>>();
  const id: number = req.params.id;
  // @ts-expect-error reading an undeclared param is a type error
  req.params.nope;
  return { id };
});

app.get("/docs{/:lang}", (req) => {
  const lang: string | undefined = req.params.lang;
  // @ts-expect-error lang may be undefined
  const strict: string = req.params.lang;
  return { lang, strict };
});

app.post("/files/:name.:ext", async (req) => [await req.json(), 201]);

app.route("/x/<float:f>", { methods: ["PUT"] }, (req) => {
  expectType<Equal<typeof req.params.f, number>>();
  return "ok";
});

// @ts-expect-error a handler must return something (undefined is a 500 at run time)
app.get("/void", () => {
  console.log("forgot to return");
});

// Handlers declared elsewhere can state what they need.
function show(req: Request<{ id: number }>) {
  return { id: req.params.id };
}
app.get("/show/<int:id>", show);
// @ts-expect-error the path gives a string id, the handler wants a number
app.get("/show-str/<id>", show);

export { app };
