/**
 * Security rule 11 for the code around handlers, over a real socket: beforeRequest,
 * afterRequest and teardownRequest hooks and error handlers that throw or reject, and a session
 * interface whose save fails. The same checks as for handler faults follow each one (next
 * request answered, no descriptor or listener left, teardown once with the error, nothing
 * unhandled, no detail sent). Debug pages show the detail, escaped.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Blueprint, Phial, type Response } from "../../src/index.ts";
import { TrackedSession } from "../../src/sessions.ts";
import { type Fault, FaultServer, injectFault, SECRET } from "../helpers/faults.ts";
import { silentLogger } from "../helpers/logger.ts";
import { RawConnection, rawRequest } from "../helpers/raw-connection.ts";

const dir = mkdtempSync(path.join(tmpdir(), "phial-faults-hooks-"));
const file = path.join(dir, "data.bin");
writeFileSync(file, Buffer.alloc(256 * 1024, 7));
after(() => rmSync(dir, { recursive: true, force: true }));

function boom(what: string): Error {
  return new Error(`${SECRET}: ${what}`);
}

async function later(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

class Refused extends Error {}

function makeRig(contextLocals: boolean): FaultServer {
  const rig = new FaultServer(
    new Phial({
      logger: silentLogger(),
      contextLocals,
      sessionInterface: {
        open: () => new TrackedSession(),
        async save(session) {
          if (session.get("fail") === "reject") await later();
          if (session.get("fail") !== undefined) throw boom("the session store broke");
        },
      },
    }),
  );
  const app = rig.app;
  // Registered after the rig's recorder, so it runs first and the recorder still runs after it.
  app.teardownRequest(async (_err, req) => {
    if (req.path === "/teardown-throws") throw boom("teardown broke");
    if (req.path === "/teardown-rejects") {
      await later();
      throw boom("teardown broke");
    }
  });
  app.get("/teardown-throws", () => "ok");
  app.get("/teardown-rejects", () => "ok");
  app.get("/session-throws", (req) => {
    req.session.set("fail", "throw");
    return "ok";
  });
  app.get("/session-rejects", (req) => {
    req.session.set("fail", "reject");
    return "ok";
  });
  app.get("/session-throws-stream", (req) => {
    req.session.set("fail", "throw");
    return rig.fileStream(req, file);
  });

  const hooks = new Blueprint("hooks", { urlPrefix: "/hooks" });
  hooks.beforeRequest(async (req) => {
    if (req.path === "/hooks/before-throws") throw boom("before broke");
    if (req.path === "/hooks/before-rejects") {
      await later();
      throw boom("before broke");
    }
  });
  hooks.afterRequest(async (res, req) => {
    if (req.path.startsWith("/hooks/after-throws")) throw boom("after broke");
    if (req.path === "/hooks/after-rejects") {
      await later();
      throw boom("after broke");
    }
    if (req.path === "/hooks/after-bad-status") res.status = 1000;
    if (req.path === "/hooks/after-not-a-response") return `${SECRET}` as unknown as Response;
    return res;
  });
  hooks.errorHandler(Refused, async (err, req) => {
    if (req.path === "/hooks/handler-rejects") await later();
    if (req.path === "/hooks/handler-undefined") return undefined;
    throw boom(`the error handler broke on ${err.message}`);
  });
  for (const name of [
    "before-throws",
    "before-rejects",
    "after-throws",
    "after-rejects",
    "after-bad-status",
    "after-not-a-response",
  ]) {
    hooks.get(`/${name}`, () => "ok");
  }
  hooks.get("/after-throws-stream", (req) => rig.fileStream(req, file));
  for (const name of ["handler-throws", "handler-rejects", "handler-undefined"]) {
    hooks.get(`/${name}`, () => {
      throw new Refused(`${SECRET}: refused`);
    });
  }
  app.registerBlueprint(hooks);
  return rig;
}

const store = new RegExp(`${SECRET}: the session store broke`);
const faults: readonly (Fault & { readonly why: string })[] = [
  {
    why: "a beforeRequest hook that throws",
    path: "/hooks/before-throws",
    answer: 500,
    teardown: /before broke/,
  },
  {
    why: "a beforeRequest hook that rejects",
    path: "/hooks/before-rejects",
    answer: 500,
    teardown: /before broke/,
  },
  {
    why: "an afterRequest hook that throws",
    path: "/hooks/after-throws",
    answer: 500,
    teardown: /after broke/,
  },
  {
    why: "an afterRequest hook that rejects",
    path: "/hooks/after-rejects",
    answer: 500,
    teardown: /after broke/,
  },
  {
    why: "an afterRequest hook that throws over a file stream",
    path: "/hooks/after-throws-stream",
    answer: 500,
    teardown: /after broke/,
  },
  {
    why: "an afterRequest hook that sets status 1000",
    path: "/hooks/after-bad-status",
    answer: 500,
    teardown: /RangeError/,
  },
  {
    why: "an afterRequest hook that returns a string",
    path: "/hooks/after-not-a-response",
    answer: 500,
    teardown: /TypeError/,
  },
  {
    why: "an error handler that throws",
    path: "/hooks/handler-throws",
    answer: 500,
    teardown: /refused/,
  },
  {
    why: "an error handler that rejects",
    path: "/hooks/handler-rejects",
    answer: 500,
    teardown: /refused/,
  },
  {
    why: "an error handler returning undefined",
    path: "/hooks/handler-undefined",
    answer: 500,
    teardown: /refused/,
  },
  {
    why: "a teardownRequest hook that throws",
    path: "/teardown-throws",
    answer: 200,
    teardown: null,
  },
  {
    why: "a teardownRequest hook that rejects",
    path: "/teardown-rejects",
    answer: 200,
    teardown: null,
  },
  { why: "a session save that throws", path: "/session-throws", answer: 500, teardown: store },
  { why: "a session save that rejects", path: "/session-rejects", answer: 500, teardown: store },
  {
    why: "a session save that throws over a file stream",
    path: "/session-throws-stream",
    answer: 500,
    teardown: store,
  },
];

for (const contextLocals of [false, true]) {
  describe(`hook, error handler and session faults (contextLocals: ${contextLocals})`, () => {
    const rig = makeRig(contextLocals);
    before(() => rig.start());
    after(() => rig.close());

    for (const fault of faults) {
      test(fault.why, { timeout: 20_000 }, async () => {
        for (const keepAlive of [true, false]) await injectFault(rig, fault, keepAlive);
      });
    }
  });
}

describe("debug pages show the error, escaped", () => {
  const markup = `<script>alert("${SECRET}")</script>`;
  const rig = new FaultServer(new Phial({ logger: silentLogger(), config: { debug: true } }));
  rig.app.get("/throw", () => {
    throw new Error(markup);
  });
  rig.app.get("/bad-header", () => ["x", { "X-Note": `${markup}\n` }]);
  rig.app.get("/handler-throws", () => {
    throw new Refused("refused");
  });
  rig.app.errorHandler(Refused, () => {
    throw new Error(markup);
  });
  before(() => rig.start());
  after(() => rig.close());

  async function get(target: string, headers: Record<string, string> = {}): Promise<string> {
    const conn = await RawConnection.open(rig.port);
    conn.write(rawRequest("GET", target, rig.nextId(), { keepAlive: false, headers }));
    const answer = await conn.answer();
    conn.destroy();
    assert.equal(answer.status, 500);
    return answer.body;
  }

  const escaped = "&lt;script&gt;alert(&quot;";
  const pages: [string, RegExp][] = [
    ["/throw", /faults-hooks\.test\.ts:\d+/],
    ["/handler-throws", /faults-hooks\.test\.ts:\d+/],
    ["/bad-header", /Invalid character in header content \[&quot;X-Note&quot;\]/],
  ];
  for (const [target, shown] of pages) {
    test(`${target}: the HTML page shows the error, escaped`, async () => {
      const body = await get(target);
      assert.match(body, shown);
      assert.match(body, /\n {4}at /);
      assert.doesNotMatch(body, /<script>|"X-Note"/);
      if (target !== "/bad-header") assert.ok(body.includes(escaped));
      await rig.assertClean();
    });
  }

  test("JSON carries the stack as a string in error.detail", async () => {
    const body = await get("/throw", { Accept: "application/json" });
    const detail = (JSON.parse(body) as { error: { detail: string } }).error.detail;
    assert.ok(detail.startsWith(`Error: ${markup}`));
    await rig.assertClean();
  });
});
