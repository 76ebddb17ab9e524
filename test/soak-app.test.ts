/**
 * Replays the soak's traffic once against the soak app (bench/soak/app.ts, on src/) over real
 * sockets: every normal request must get the exact answer the soak checks for, and every variant
 * of every attack one of its kind's expected outcomes. `npm run soak` then sends the same
 * traffic for minutes; this keeps its expectations honest and quick to check.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createSoakApp, newGauges, writeStaticFiles } from "../bench/soak/app.ts";
import { hostileKinds } from "../bench/soak/hostile.ts";
import { judge, normalRequests, send, type WorkerState } from "../bench/soak/normal.ts";
import { exchange } from "../bench/soak/raw-client.ts";
import { HTTPError, Phial } from "../src/index.ts";

describe("the soak app answers the soak's traffic as the soak expects", async () => {
  const root = mkdtempSync(join(tmpdir(), "phial-soak-test-"));
  writeStaticFiles(root);
  const gauges = newGauges();
  const app = createSoakApp({ Phial, HTTPError }, root, gauges);
  // Short header timeouts, so the slowloris attack ends in about a second instead of a minute.
  const server = createServer(
    { headersTimeout: 1000, requestTimeout: 5000, connectionsCheckingInterval: 200 },
    app.handler,
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const stop = new AbortController();
  after(async () => {
    stop.abort();
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  test("every normal request gets its exact answer, twice over one session and connection", async () => {
    const state: WorkerState = { cookie: null, visits: 0 };
    let n = 0;
    for (let round = 0; round < 2; round++) {
      for (const r of normalRequests) {
        const answer = await send(port, agent, r, state, n);
        assert.equal(judge(r, answer, state, n), null, `${r.name} (request ${n})`);
        n++;
      }
    }
    assert.equal(state.visits, 2);
  });

  for (const kind of hostileKinds) {
    test(`${kind.name}: each of its ${kind.variants} variants gets ${kind.expected.join(" or ")}`, async () => {
      const results = await Promise.all(
        Array.from({ length: kind.variants }, (_, n) =>
          exchange(port, kind.script(n), stop.signal),
        ),
      );
      results.forEach((r, n) => {
        assert.ok(kind.expected.includes(r.outcome), `variant ${n}: ${r.outcome}`);
      });
    });
  }

  test("afterwards Object.prototype is clean and every request and stream has ended", async () => {
    for (let i = 0; i < 100 && (gauges.inFlight > 0 || gauges.openStreams > 0); i++) {
      await sleep(20);
    }
    assert.deepEqual(
      { inFlight: gauges.inFlight, openStreams: gauges.openStreams },
      {
        inFlight: 0,
        openStreams: 0,
      },
    );
    const clean = normalRequests.find((r) => r.path(0) === "/api/clean");
    assert.ok(clean);
    const state = { cookie: null, visits: 0 };
    assert.equal(judge(clean, await send(port, agent, clean, state, 0), state, 0), null);
  });

  test("the checks catch a wrong status, a wrong body and a missing hook header", async () => {
    const [users] = normalRequests;
    assert.ok(users);
    const state: WorkerState = { cookie: null, visits: 0 };
    const right = await send(port, agent, users, state, 5);
    assert.equal(judge(users, right, state, 5), null);
    assert.match(String(judge(users, { ...right, status: 201 }, state, 5)), /status 201/);
    assert.match(String(judge(users, right, state, 6)), /body/);
    const bare = { ...right, headers: { ...right.headers, "x-soak": undefined } };
    assert.match(String(judge(users, bare, state, 5)), /X-Soak/);
  });
});
