/**
 * The fault-injection suites' instruments: the process's open file descriptors, listener
 * counts, a watch on unhandled rejections and uncaught exceptions, a recorder of
 * `teardownRequest` calls, and {@link injectFault}, which checks all of them around one fault.
 * The server and the clients share this process, so a descriptor either side leaks shows up here.
 */
import assert from "node:assert/strict";
import { type EventEmitter, once } from "node:events";
import { createReadStream, existsSync, type ReadStream, readdirSync, readlinkSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Phial, Request } from "../../src/index.ts";
import { RawConnection, rawRequest } from "./raw-connection.ts";

/** Put in every fault's error message: it must never reach a client unless `debug` is on. */
export const SECRET = "s3cr3t-detail";

/** What gives a stack trace away in a body: frames, file positions, Node internals. */
export const STACK = /\n\s+at |\.ts:\d+|node:internal/;

const TSX_CACHE = join(tmpdir(), "tsx-");

/** Whether this system lists open descriptors in /proc (Linux); elsewhere fd checks are skipped. */
export const CAN_COUNT_FDS = existsSync("/proc/self/fd");

/**
 * What the process's open file descriptors point at, sorted, with socket and pipe inode numbers
 * dropped so two snapshots compare by kind ("socket", a file's path).
 */
export function openFds(): string[] {
  if (!CAN_COUNT_FDS) return [];
  const targets: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`).replace(/:\[\d+\]$/, "");
      // tsx, which loads the tests, reads its transform cache in the background; on Node 22 a
      // snapshot can catch that directory open. It is the test loader's, not phial's.
      if (target.startsWith(TSX_CACHE)) continue;
      targets.push(target);
    } catch {
      // The descriptor readdirSync itself used is closed by the time we read its link.
    }
  }
  return targets.sort();
}

/** How many descriptors are open on `file`. */
export function fdsOn(file: string): number {
  return openFds().filter((target) => target === file).length;
}

/** Listener counts by event name. */
export function listenerCounts(emitter: EventEmitter): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of emitter.eventNames()) counts[String(name)] = emitter.listenerCount(name);
  return counts;
}

/** Polls `check` every 10 ms until it holds or `ms` pass; returns whether it held. */
export async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/** Resolves once `server` has no open connection (or rejects after `ms`). */
export async function drained(server: Server, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const open = await new Promise<number>((resolve, reject) =>
      server.getConnections((err, count) => (err ? reject(err) : resolve(count))),
    );
    if (open === 0) return;
    if (Date.now() > deadline) throw new Error(`${open} connection(s) still open after ${ms} ms`);
    await sleep(10);
  }
}

/**
 * Records unhandled rejections and uncaught exceptions from now on; `stop()` removes the
 * handlers. Install one per test file, at load time.
 */
export function watchProcess(): { readonly problems: string[]; stop(): void } {
  const problems: string[] = [];
  const onRejection = (reason: unknown) => void problems.push(`unhandledRejection: ${reason}`);
  const onException = (err: unknown) => void problems.push(`uncaughtException: ${err}`);
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return {
    problems,
    stop() {
      process.off("unhandledRejection", onRejection);
      process.off("uncaughtException", onException);
    },
  };
}

/**
 * Records what `teardownRequest` received, by the request's `x-fault-id` header. Install it on
 * an app before any hook under test, so it runs after them (teardown hooks run last-registered
 * first).
 */
export class TeardownLog {
  readonly #calls = new Map<string, unknown[]>();
  readonly #waiting = new Map<string, () => void>();

  install(app: Phial): void {
    app.teardownRequest((err: unknown, req: Request) => {
      const id = req.headers["x-fault-id"];
      if (typeof id !== "string") return;
      const calls = this.#calls.get(id) ?? [];
      calls.push(err);
      this.#calls.set(id, calls);
      this.#waiting.get(id)?.();
    });
  }

  /** The errors teardown received for `id` so far (one entry per call). */
  calls(id: string): unknown[] {
    return this.#calls.get(id) ?? [];
  }

  /** Resolves once teardown ran for `id`; rejects after `ms`. */
  ran(id: string, ms = 3000): Promise<unknown[]> {
    if (this.calls(id).length > 0) return Promise.resolve(this.calls(id));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`teardownRequest did not run for ${id} within ${ms} ms`));
      }, ms);
      this.#waiting.set(id, () => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve(this.calls(id));
      });
    });
  }
}

/**
 * An app under fault injection, served on a real port: it answers `GET /probe` with the listener
 * counts of the server-side socket, records teardown calls, and remembers the process's open
 * descriptors and listener counts once warmed up, so {@link FaultServer.assertClean} can say
 * what a fault left behind.
 *
 * @example
 * ```ts
 * const rig = new FaultServer(new Phial({ logger: silentLogger() }));
 * rig.app.get("/throw", () => { throw new Error(SECRET); });
 * await rig.start();
 * await injectFault(rig, { path: "/throw", answer: 500, teardown: /s3cr3t/ }, true);
 * await rig.close();
 * ```
 */
export class FaultServer {
  readonly app: Phial;
  readonly teardown = new TeardownLog();
  readonly #watch = watchProcess();
  #server: Server | undefined;
  #fds: string[] = [];
  #serverListeners: Record<string, number> = {};
  #processListeners: Record<string, number> = {};
  #count = 0;
  readonly #streams = new Map<string, Promise<unknown>[]>();

  /** Installs `/probe` and the teardown recorder: do this before registering hooks under test. */
  constructor(app: Phial) {
    this.app = app;
    this.teardown.install(app);
    app.get("/probe", (req) => ({ ok: true, socket: listenerCounts(req.raw.socket) }));
  }

  get server(): Server {
    if (this.#server === undefined) throw new Error("call start() first");
    return this.#server;
  }

  get port(): number {
    return this.app.address()?.port ?? 0;
  }

  /** Unhandled rejections and uncaught exceptions seen so far. */
  get problems(): readonly string[] {
    return this.#watch.problems;
  }

  /** Listens, warms up with `warmUp` requests (each over its own connection), takes the baselines. */
  async start(warmUp: readonly string[] = ["/probe"]): Promise<void> {
    this.#server = await this.app.listen({ port: 0 });
    for (const path of warmUp) {
      const conn = await RawConnection.open(this.port);
      conn.write(rawRequest("GET", path, this.nextId(), { keepAlive: false }));
      await conn.close();
    }
    await drained(this.server);
    this.#snapshot();
  }

  /**
   * A read stream of `file` for a handler to return, whose closing {@link injectFault} waits
   * for: a stream destroyed before its file opened still opens it, then closes it, so without
   * this wait a descriptor count could catch it in between. One never closed fails the fault.
   */
  fileStream(req: Request, file: string): ReadStream {
    const stream = createReadStream(file);
    const id = String(req.headers["x-fault-id"]);
    const closed = once(stream, "close", { signal: AbortSignal.timeout(3000) }).catch(() => {
      throw new Error(`a file stream of ${id} was never closed`);
    });
    this.#streams.set(id, [...(this.#streams.get(id) ?? []), closed]);
    return stream;
  }

  /** Resolves once every {@link fileStream} of request `id` closed. */
  async streamsClosed(id: string): Promise<void> {
    await Promise.all(this.#streams.get(id) ?? []);
  }

  /** A fresh request id for the teardown log. */
  nextId(): string {
    this.#count += 1;
    return `f${this.#count}`;
  }

  /**
   * Once every connection is closed: the descriptors, the server's and the process's listeners
   * are as they were after warming up, no rejection or exception went unhandled, and teardown
   * ran at most once for each of `ids`.
   */
  async assertClean(ids: readonly string[] = []): Promise<void> {
    await drained(this.server);
    // Judged on the snapshot the wait ended with: a stream destroyed before its file opened
    // still opens (and then closes) the file, so a second look could catch it in between.
    let fds = openFds();
    await eventually(() => {
      fds = openFds();
      return fds.join("\n") === this.#fds.join("\n");
    });
    try {
      assert.deepEqual(fds, this.#fds, "open file descriptors changed");
      assert.deepEqual(
        listenerCounts(this.server),
        this.#serverListeners,
        "server listeners changed",
      );
      assert.deepEqual(
        listenerCounts(process),
        this.#processListeners,
        "process listeners changed",
      );
    } catch (err) {
      // One leak is reported once, by the test that caused it, not by every test after it.
      this.#snapshot();
      throw err;
    }
    for (const id of ids)
      assert.ok(this.teardown.calls(id).length <= 1, `teardown ran twice for ${id}`);
    assert.deepEqual(this.problems, []);
  }

  #snapshot(): void {
    this.#fds = openFds();
    this.#serverListeners = listenerCounts(this.server);
    this.#processListeners = listenerCounts(process);
  }

  async close(): Promise<void> {
    await this.app.close({ timeout: 100 });
    this.#watch.stop();
  }
}

/**
 * One fault to inject: the request that provokes it and what must come of it.
 *
 * @example
 * ```ts
 * const fault: Fault = { path: "/throw", answer: 500, teardown: /s3cr3t/ };
 * ```
 */
export interface Fault {
  readonly path: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /**
   * `500`: a whole 500 page without detail. `"cut"`: a 200 whose body stops after `firstChunk`,
   * then the connection is closed, with no second status line. Another number: that status, whole.
   */
  readonly answer: number | "cut";
  /** The body a cut answer carries. */
  readonly firstChunk?: string;
  /** What teardownRequest receives: `null`, or an error whose string form matches. */
  readonly teardown: RegExp | null;
}

/**
 * Sends `fault.path` over a raw connection (keep-alive or `Connection: close`) and checks the
 * answer, that teardownRequest ran once with the error, that the next request is answered (on
 * the same connection, whose listener counts did not grow, when it stayed open), and then
 * {@link FaultServer.assertClean}.
 */
export async function injectFault(
  rig: FaultServer,
  fault: Fault,
  keepAlive: boolean,
): Promise<void> {
  const id = rig.nextId();
  const conns: RawConnection[] = [];
  try {
    await checkFault(rig, fault, id, keepAlive, conns);
  } finally {
    // Also after a failed check, so the next fault starts from a drained server.
    for (const conn of conns) conn.destroy();
  }
  await rig.assertClean([id]);
  assert.equal(rig.teardown.calls(id).length, 1, "teardown ran more than once");
}

async function checkFault(
  rig: FaultServer,
  fault: Fault,
  id: string,
  keepAlive: boolean,
  conns: RawConnection[],
): Promise<void> {
  const conn = await RawConnection.open(rig.port);
  conns.push(conn);
  let socketBefore: unknown;
  if (keepAlive) {
    conn.write(rawRequest("GET", "/probe", rig.nextId(), { keepAlive: true }));
    socketBefore = (JSON.parse((await conn.answer()).body) as { socket: unknown }).socket;
  }
  const lines = conn.statusLines;
  conn.write(
    rawRequest(fault.method ?? "GET", fault.path, id, {
      keepAlive,
      ...(fault.headers && { headers: fault.headers }),
      ...(fault.body !== undefined && { body: fault.body }),
    }),
  );
  const answer = await conn.answer();
  if (fault.answer === "cut") {
    assert.equal(answer.status, 200, answer.head);
    assert.equal(answer.complete, false, "a failed stream must not end like a whole body");
    assert.equal(answer.body, fault.firstChunk);
    await conn.close();
  } else {
    assert.equal(answer.status, fault.answer, answer.head);
    assert.ok(answer.complete);
    if (fault.answer === 500) assert.match(answer.body, /Internal Server Error/);
    // A healthy connection survives an error answer, so the next request can reuse it.
    if (keepAlive) assert.equal(conn.closed, false, "the 500 closed a keep-alive connection");
    else await conn.close();
  }
  assert.equal(conn.statusLines, lines + 1, "one status line per request");
  assert.doesNotMatch(conn.received, new RegExp(SECRET), "error detail reached the client");
  assert.doesNotMatch(answer.body, STACK, "a stack trace reached the client");

  const torn = await rig.teardown.ran(id);
  if (fault.teardown === null) assert.equal(torn[0], null);
  else assert.match(String(torn[0]), fault.teardown);
  await rig.streamsClosed(id);

  const next = conn.closed ? await RawConnection.open(rig.port) : conn;
  conns.push(next);
  next.write(rawRequest("GET", "/probe", rig.nextId(), { keepAlive }));
  const probe = await next.answer();
  assert.equal(probe.status, 200, "the next request was not answered");
  if (next === conn && keepAlive) {
    const socketAfter = (JSON.parse(probe.body) as { socket: unknown }).socket;
    assert.deepEqual(socketAfter, socketBefore, "the reused socket gained listeners");
  }
}
