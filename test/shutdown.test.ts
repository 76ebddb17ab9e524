import assert from "node:assert/strict";
import { get as httpGet, type IncomingMessage } from "node:http";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Phial } from "../src/index.ts";
import { killAll, ROOT, startScript } from "./cli/helpers.ts";

function get(port: number, path: string): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ res, body }));
      res.on("error", reject);
    }).on("error", reject);
  });
}

// In-process tests emit a signal no test runner listens to; the child tests send real SIGTERMs.
const SIGNAL = "SIGUSR2";

describe("app.closeOnSignals()", { timeout: 30_000 }, () => {
  test("the first signal closes gracefully; the listeners are gone afterwards", async () => {
    const app = new Phial();
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const inFlight = new Promise<void>((r) => {
      entered = r;
    });
    app.get("/slow", async () => {
      entered();
      await new Promise<void>((r) => {
        release = r;
      });
      return "finished";
    });
    await app.listen({ port: 0 });
    const before = process.listenerCount(SIGNAL);
    const shutdown = app.closeOnSignals({ signals: [SIGNAL], timeout: 5000 });
    assert.equal(process.listenerCount(SIGNAL), before + 1);
    const answer = get(app.address()?.port ?? 0, "/slow");
    await inFlight;
    process.emit(SIGNAL, SIGNAL);
    release();
    const { res, body } = await answer;
    assert.equal(body, "finished");
    assert.equal(res.headers.connection, "close");
    assert.deepEqual(await shutdown.closed, { signal: SIGNAL, forced: false });
    assert.equal(process.listenerCount(SIGNAL), before, "a further signal gets Node's default");
  });

  test("a second signal destroys what is still open instead of waiting", async () => {
    const app = new Phial();
    let entered: () => void = () => {};
    const inFlight = new Promise<void>((r) => {
      entered = r;
    });
    app.get("/hang", () => {
      entered();
      return new Promise<string>(() => {});
    });
    await app.listen({ port: 0 });
    const shutdown = app.closeOnSignals({ signals: [SIGNAL], timeout: 60_000 });
    const answer = get(app.address()?.port ?? 0, "/hang").catch((err: unknown) => err);
    await inFlight;
    process.emit(SIGNAL, SIGNAL);
    process.emit(SIGNAL, SIGNAL);
    assert.deepEqual(await shutdown.closed, { signal: SIGNAL, forced: true });
    assert.ok((await answer) instanceof Error, "the hung request was cut");
  });

  test("the signal option closes like a signal; remove() takes the listeners away", async () => {
    const app = new Phial();
    await app.listen({ port: 0 });
    const before = process.listenerCount(SIGNAL);
    const idle = app.closeOnSignals({ signals: [SIGNAL] });
    idle.remove();
    assert.equal(process.listenerCount(SIGNAL), before);
    assert.notEqual(app.address(), null, "still serving");
    const stop = new AbortController();
    const shutdown = app.closeOnSignals({ signals: [SIGNAL], signal: stop.signal });
    stop.abort();
    assert.deepEqual(await shutdown.closed, { signal: "abort", forced: false });
    assert.equal(app.address(), null);
    assert.throws(() => app.closeOnSignals({ timeout: -1 }), { code: "invalid_timeout" });
  });
});

describe("closeOnSignals in a real process", { concurrency: true, timeout: 60_000 }, () => {
  const script = join(ROOT, "test/fixtures/close-on-signals.ts");
  after(killAll);

  test("SIGTERM lets the in-flight request finish, then the process exits by itself", async () => {
    const child = startScript(script, []);
    const [, port] = await child.waitFor(/listening (\d+)\n/);
    const answer = get(Number(port), "/slow");
    await child.waitFor(/entered\n/);
    child.child.kill("SIGTERM");
    const { res, body } = await answer;
    assert.equal(body, "finished");
    assert.equal(res.headers.connection, "close");
    await child.waitFor(/closed \{"signal":"SIGTERM","forced":false\}\n/);
    assert.equal(await child.exited, 0);
    assert.equal(child.stderr(), "");
  });

  test("a second SIGTERM cuts the requests that are still open", async () => {
    const child = startScript(script, []);
    const [, port] = await child.waitFor(/listening (\d+)\n/);
    const answer = get(Number(port), "/hang").catch((err: unknown) => err);
    await child.waitFor(/entered\n/);
    child.child.kill("SIGTERM");
    // Signals sent back to back may merge into one; send the second once the first arrived.
    await child.waitFor(/SIGTERM 1\n/);
    child.child.kill("SIGTERM");
    await child.waitFor(/closed \{"signal":"SIGTERM","forced":true\}\n/);
    assert.ok((await answer) instanceof Error);
    assert.equal(await child.exited, 0);
  });
});
