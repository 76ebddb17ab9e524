import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { abort, Phial, Response } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";

describe("hooks", () => {
  test("order: before in order, afterThisRequest, after in reverse, teardown in reverse", async () => {
    const app = new Phial({ logger: silentLogger() });
    const calls: string[] = [];
    let tornDown: () => void = () => {};
    const teardownDone = new Promise<void>((r) => {
      tornDown = r;
    });
    app.beforeRequest(() => void calls.push("before1"));
    app.beforeRequest(async () => void calls.push("before2"));
    app.afterRequest((res) => {
      calls.push("after1");
      return res;
    });
    app.afterRequest(async (res) => {
      calls.push("after2");
      return res;
    });
    app.teardownRequest(() => {
      calls.push("teardown1");
      tornDown();
    });
    app.teardownRequest((err) => void calls.push(`teardown2:${String(err)}`));
    app.get("/", (req) => {
      calls.push("handler");
      req.afterThisRequest((res) => {
        calls.push("afterThis");
        res.headers.set("X-After-This", "1");
        return res;
      });
      return "ok";
    });
    const res = await app.testClient().get("/");
    await teardownDone;
    assert.equal(res.headers.get("x-after-this"), "1");
    assert.deepEqual(calls, [
      "before1",
      "before2",
      "handler",
      "afterThis",
      "after2",
      "after1",
      "teardown2:null",
      "teardown1",
    ]);
  });

  test("a beforeRequest value short-circuits the handler and later hooks", async () => {
    const app = new Phial();
    let handlerRan = false;
    let secondRan = false;
    app.beforeRequest((req) => (req.headers.authorization ? undefined : ["sign in first", 401]));
    app.beforeRequest(() => {
      secondRan = true;
    });
    app.get("/", () => {
      handlerRan = true;
      return "secret";
    });
    const client = app.testClient();
    const res = await client.get("/");
    assert.equal(res.status, 401);
    assert.equal(await res.text(), "sign in first");
    assert.equal(handlerRan, false);
    assert.equal(secondRan, false);
    assert.equal((await client.get("/", { headers: { authorization: "x" } })).status, 200);
  });

  test("afterRequest may replace the response and also sees error responses", async () => {
    const app = new Phial();
    app.afterRequest((res) => {
      if (res.status === 404) return new Response("replaced 404", { status: 404 });
      res.headers.set("X-Seen", "1");
      return undefined;
    });
    app.get("/", () => "ok");
    const client = app.testClient();
    assert.equal((await client.get("/")).headers.get("x-seen"), "1");
    const missing = await client.get("/missing");
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), "replaced 404");
  });

  test("beforeRequest runs for 404s too, as in Flask", async () => {
    const app = new Phial();
    const seen: (string | null)[] = [];
    app.beforeRequest((req) => void seen.push(req.endpoint));
    app.get("/", function home() {
      return "ok";
    });
    const client = app.testClient();
    await client.get("/");
    await client.get("/nope");
    assert.deepEqual(seen, ["home", null]);
  });

  test("teardown always runs and receives the unhandled error", async () => {
    const app = new Phial({ logger: silentLogger() });
    const errors: unknown[] = [];
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => {
      done = r;
    });
    app.teardownRequest((err) => {
      errors.push(err);
      if (errors.length === 2) done();
    });
    app.get("/boom", () => {
      throw new Error("kaboom");
    });
    app.get("/abort", () => abort(403));
    const client = app.testClient();
    assert.equal((await client.get("/boom")).status, 500);
    assert.equal((await client.get("/abort")).status, 403);
    await finished;
    assert.match(String((errors[0] as Error).message), /kaboom/);
    assert.equal((errors[1] as { status: number }).status, 403);
  });

  test("with only a teardown hook, a miss still reaches it as a NotFound and a hit as null", async () => {
    const app = new Phial();
    const seen: unknown[] = [];
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => {
      done = r;
    });
    app.teardownRequest((err) => {
      seen.push(err);
      if (seen.length === 2) done();
    });
    app.get("/", () => ({ ok: true }));
    const client = app.testClient();
    assert.equal((await client.get("/")).status, 200);
    assert.equal((await client.get("/missing")).status, 404);
    await finished;
    assert.equal(seen[0], null);
    assert.equal((seen[1] as { status: number }).status, 404);
  });

  test("a teardown hook that throws is logged and does not affect the response", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger });
    app.teardownRequest(() => {
      throw new Error("teardown broke");
    });
    app.get("/", () => "fine");
    const client = app.testClient();
    const res = await client.get("/");
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "fine");
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(
      logger.errors.some(([, { err }]) => err instanceof Error && err.message === "teardown broke"),
    );
    assert.equal((await client.get("/")).status, 200);
  });
});
