import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  Blueprint,
  ContextError,
  currentApp,
  currentRequest,
  g,
  Phial,
  Request,
  request,
  session,
  urlFor,
} from "../../src/index.ts";
import { SocketClient } from "../helpers/clients.ts";
import { silentLogger } from "../helpers/logger.ts";

/** Code far from any handler: it only knows the context locals. */
async function describeRequest(): Promise<Record<string, unknown>> {
  await sleep(1);
  return {
    path: request.path,
    method: request.method,
    page: request.query.get("page"),
    isRequest: request instanceof Request,
  };
}

describe("context locals", () => {
  test("request, g, session, currentApp and urlFor work across await in a handler", async () => {
    const app = new Phial({ contextLocals: true, config: { debug: false, site: "demo" } });
    app.get("/items/<int:id>", async function item(req) {
      g.user = "ann";
      const seen = await describeRequest();
      await sleep(2);
      return {
        ...seen,
        sameAsCurrent: currentRequest() === req,
        gIsReqG: req.g.user === "ann" && Object.keys(g).includes("user"),
        sessionEmpty: session.size === 0 && session.get("x") === undefined,
        site: currentApp.config.site,
        appIsApp: currentApp instanceof Phial,
        url: urlFor("item", { id: 9 }),
        json: await request.json().catch((e: Error) => e.name),
      };
    });
    const res = await app.testClient().get("/items/3?page=2");
    assert.deepEqual(await res.json(), {
      path: "/items/3",
      method: "GET",
      page: "2",
      isRequest: true,
      sameAsCurrent: true,
      gIsReqG: true,
      sessionEmpty: true,
      site: "demo",
      appIsApp: true,
      url: "/items/9",
      json: "UnsupportedMediaType",
    });
  });

  test("every one of many concurrent requests sees its own request", async () => {
    const app = new Phial({ contextLocals: true });
    app.get("/echo/<int:n>", async (req) => {
      g.n = req.params.n;
      // Interleave: later requests finish first.
      await sleep(20 - (req.params.n % 20));
      return { n: request.params.n, g: g.n, path: request.path };
    });
    const client = await SocketClient.start(app);
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, n) => client.get(`/echo/${n}`).then((r) => r.json())),
      );
      assert.deepEqual(
        answers,
        answers.map((_, n) => ({ n, g: n, path: `/echo/${n}` })),
      );
    } finally {
      await client.close();
    }
  });

  test("hooks, error handlers and teardown see the request; a streamed body sees it until the end", async () => {
    const seen: string[] = [];
    let tornDown: () => void = () => {};
    const done = new Promise<void>((r) => {
      tornDown = r;
    });
    const app = new Phial({ contextLocals: true, logger: silentLogger() });
    app.beforeRequest(async () => {
      await sleep(1);
      g.before = request.path;
    });
    app.afterRequest((res) => {
      res.headers.set("X-Path", `${request.path}|${String(g.before)}`);
      return res;
    });
    app.teardownRequest(async () => {
      await sleep(1);
      seen.push(`teardown:${request.path}`);
      tornDown();
    });
    app.get("/stream", () =>
      (async function* () {
        for (let i = 0; i < 3; i++) {
          await sleep(5);
          yield `${request.path}:${i};`;
        }
        yield `g=${String(g.before)}`;
      })(),
    );
    const client = app.testClient();
    const streamed = await client.get("/stream");
    assert.equal(await streamed.text(), "/stream:0;/stream:1;/stream:2;g=/stream");
    assert.equal(streamed.headers.get("x-path"), "/stream|/stream");
    await done;
    assert.deepEqual(seen, ["teardown:/stream"]);

    const app2 = new Phial({ contextLocals: true, logger: silentLogger() });
    app2.errorHandler(404, async () => {
      await sleep(1);
      return [`no ${request.path} in ${String(request.blueprint)}`, 404];
    });
    const api = new Blueprint("api", { urlPrefix: "/api" });
    api.errorHandler(500, () => [`failed ${urlFor(".ok")}`, 500]);
    api.get("/ok", function ok() {
      return "ok";
    });
    api.get("/boom", () => {
      throw new Error("boom");
    });
    app2.registerBlueprint(api);
    const c2 = app2.testClient();
    assert.equal(await (await c2.get("/missing")).text(), "no /missing in null");
    assert.equal(await (await c2.get("/api/boom")).text(), "failed /api/ok");
  });

  test("outside a request every local throws ContextError saying what to do", () => {
    for (const use of [
      () => request.path,
      () => g.x,
      () => session.get("x"),
      () => currentApp.config,
      () => urlFor("x"),
      () => currentRequest(),
    ]) {
      assert.throws(use, (err: unknown) => {
        assert.ok(err instanceof ContextError);
        assert.equal(err.code, "no_request_context");
        assert.match(err.message, /outside a request.*contextLocals: true/s);
        return true;
      });
    }
  });

  test("an app without contextLocals does not set them: handlers get a clear 500 and the log says why", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger });
    app.get("/", () => request.path);
    const res = await app.testClient().get("/");
    assert.equal(res.status, 500);
    assert.match(String(logger.errors[0]?.[1]?.err), /`request` was used outside a request/);
  });

  test("g forwards every object operation to the request's g", async () => {
    const app = new Phial({ contextLocals: true });
    app.get("/", (req) => {
      g.a = 1;
      req.g.b = 2;
      delete g.a;
      return { has: "b" in g, keys: Object.keys(g), json: JSON.stringify(g) };
    });
    assert.deepEqual(await (await app.testClient().get("/")).json(), {
      has: true,
      keys: ["b"],
      json: '{"b":2}',
    });
  });
});
