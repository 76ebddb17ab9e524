import assert from "node:assert/strict";
import { test } from "node:test";
import { type Converter, Phial, RouteDefinitionError } from "../../src/index.ts";

// Users declare their converter's value type once; PathParams picks it up everywhere.
declare global {
  namespace phial {
    interface ConverterTypes {
      slug: string;
      csv: string[];
    }
  }
}

const slug: Converter<string> = {
  toValue: (part) => (/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(part) ? part : undefined),
  toUrl: (value) => value,
};

test("user converters: registered on the app, typed, used for matching and urlFor", async () => {
  const app = new Phial();
  app.converters.set("slug", slug);
  app.converters.set("csv", (_args, kwargs) => ({
    toValue: (part: string) => {
      const items = part.split(",");
      const max = typeof kwargs.max === "number" ? kwargs.max : Number.POSITIVE_INFINITY;
      return items.length <= max ? items : undefined;
    },
    toUrl: (value: unknown) => (value as string[]).join(","),
  }));
  app.get("/posts/<slug:s>", function post(req) {
    const s: string = req.params.s;
    return { slug: s };
  });
  app.get("/posts/<rest>", (req) => ({ fallback: req.params.rest }));
  app.get("/tags/<csv(max=3):tags>", function tags(req) {
    const list: string[] = req.params.tags;
    return { tags: list };
  });
  const client = app.testClient();
  assert.deepEqual((await client.get("/posts/hello-world")).json(), { slug: "hello-world" });
  assert.deepEqual((await client.get("/posts/Not_A_Slug")).json(), { fallback: "Not_A_Slug" });
  assert.deepEqual((await client.get("/tags/a,b,c")).json(), { tags: ["a", "b", "c"] });
  assert.equal((await client.get("/tags/a,b,c,d")).status, 404);
  assert.equal(app.urlFor("post", { s: "my-post" }), "/posts/my-post");
  assert.equal(app.urlFor("tags", { tags: ["x", "y"] }), "/tags/x,y");
});

test("a converter used before it is registered fails at registration", () => {
  const app = new Phial();
  assert.throws(() => app.get("/p/<slug:s>", () => "x"), RouteDefinitionError);
});
