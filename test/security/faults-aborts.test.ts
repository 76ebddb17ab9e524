/**
 * Clients that go away, over a real socket: mid-upload (urlencoded, JSON, multipart with a file),
 * mid-download (a large file, an endless generator), and while a handler hangs. Afterwards the
 * server answers the next request, no descriptor, listener or temporary file is left, and
 * nothing went unhandled. teardownRequest runs once the lifecycle settles: at once for aborted
 * uploads and downloads, never for a handler that never settles (it should watch `req.signal`).
 */
import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Phial, type Request, sendFile } from "../../src/index.ts";
import { eventually, FaultServer, fdsOn } from "../helpers/faults.ts";
import { silentLogger } from "../helpers/logger.ts";
import { BOUNDARY, noTempUploadsWithin, tempUploads } from "../helpers/multipart.ts";
import { RawConnection, rawRequest } from "../helpers/raw-connection.ts";

// This file's own temporary directory, so only its uploads are counted.
const dir = mkdtempSync(path.join(tmpdir(), "phial-faults-aborts-"));
process.env.TMPDIR = dir;
const file = path.join(dir, "large.bin");
writeFileSync(file, Buffer.alloc(8 * 1024 * 1024, 7));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What handlers report, by request id: "entered", "aborted", "finalized". */
const events = new EventEmitter();
function report(req: Request, what: string): void {
  events.emit(`${what}:${String(req.headers["x-fault-id"])}`);
}
function reported(id: string, what: string): Promise<unknown> {
  return once(events, `${what}:${id}`, { signal: AbortSignal.timeout(3000) });
}

function makeRig(contextLocals: boolean): FaultServer {
  const rig = new FaultServer(new Phial({ logger: silentLogger(), contextLocals }));
  const app = rig.app;
  app.post("/json", (req) => {
    report(req, "entered");
    return req.json().then(() => "read");
  });
  app.post("/form", async (req) => {
    report(req, "entered");
    return { keys: [...(await req.form()).keys()] };
  });
  app.post("/files", async (req) => {
    report(req, "entered");
    return { files: [...(await req.files()).keys()] };
  });
  app.get("/download", () => sendFile(file));
  app.get("/endless", async function* (req) {
    try {
      for (;;) {
        yield "x".repeat(1024);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      report(req, "finalized");
    }
  });
  app.get("/hang", (req) => {
    req.signal.addEventListener("abort", () => report(req, "aborted"));
    report(req, "entered");
    return new Promise(() => {});
  });
  app.get("/hang-until-abort", (req) => {
    report(req, "entered");
    return new Promise((_, reject) => {
      req.signal.addEventListener("abort", () => {
        report(req, "aborted");
        reject(req.signal.reason);
      });
    });
  });
  return rig;
}

const multipartHead =
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="doc"; filename="a.txt"\r\n` +
  "Content-Type: text/plain\r\n\r\n";

const uploads = [
  {
    why: "a JSON body",
    path: "/json",
    type: "application/json",
    part: '{"a": "',
    started: (id: string) => reported(id, "entered"),
  },
  {
    why: "an urlencoded body",
    path: "/form",
    type: "application/x-www-form-urlencoded",
    part: "a=1&b=",
    started: (id: string) => reported(id, "entered"),
  },
  {
    why: "a multipart body with a file",
    path: "/files",
    type: `multipart/form-data; boundary=${BOUNDARY}`,
    part: multipartHead + "y".repeat(20_000),
    // Cut only once the file is being written to disk.
    started: () => eventually(() => tempUploads().length > 0),
  },
];

/** Sends the head of a request, waits for `started`, then goes away; returns the request id. */
async function abortMidway(
  rig: FaultServer,
  keepAlive: boolean,
  method: string,
  target: string,
  options: {
    headers?: Record<string, string>;
    body?: string;
    started: (id: string) => Promise<unknown>;
  },
): Promise<string> {
  const id = rig.nextId();
  const started = options.started(id);
  const conn = await RawConnection.open(rig.port);
  const head = rawRequest(method, target, id, {
    keepAlive,
    ...(options.headers && { headers: options.headers }),
  });
  conn.write(head + (options.body ?? ""));
  assert.notEqual(await started, false, "the request never got going");
  conn.destroy();
  return id;
}

/** The next request is answered; then nothing is left behind. */
async function assertServing(rig: FaultServer, ids: string[]): Promise<void> {
  const conn = await RawConnection.open(rig.port);
  conn.write(rawRequest("GET", "/probe", rig.nextId(), { keepAlive: false }));
  assert.equal((await conn.answer()).status, 200, "the next request was not answered");
  conn.destroy();
  await rig.assertClean(ids);
}

for (const contextLocals of [false, true]) {
  describe(`clients that go away (contextLocals: ${contextLocals})`, () => {
    const rig = makeRig(contextLocals);
    before(() => rig.start(["/probe", "/download"]));
    after(() => rig.close());

    for (const keepAlive of [true, false]) {
      const mode = keepAlive ? "keep-alive" : "Connection: close";
      for (const upload of uploads) {
        test(`mid-upload of ${upload.why} (${mode})`, async () => {
          const id = await abortMidway(rig, keepAlive, "POST", upload.path, {
            headers: { "Content-Type": upload.type, "Content-Length": "100000" },
            body: upload.part,
            started: upload.started,
          });
          const torn = await rig.teardown.ran(id);
          assert.match(String(torn[0]), /BadRequest/);
          assert.deepEqual(await noTempUploadsWithin(), []);
          await assertServing(rig, [id]);
          assert.equal(rig.teardown.calls(id).length, 1);
        });
      }

      test(`mid-download of a large file (${mode}): its descriptor is closed`, async () => {
        const id = await abortMidway(rig, keepAlive, "GET", "/download", {
          started: () => eventually(() => fdsOn(file) === 1),
        });
        assert.match(String((await rig.teardown.ran(id))[0]), /ERR_STREAM_PREMATURE_CLOSE/);
        assert.ok(await eventually(() => fdsOn(file) === 0), "the file is still open");
        await assertServing(rig, [id]);
      });

      test(`mid-download of an endless generator (${mode}): it is finalized`, async () => {
        const id = rig.nextId();
        const finalized = reported(id, "finalized");
        const conn = await RawConnection.open(rig.port);
        conn.write(rawRequest("GET", "/endless", id, { keepAlive }));
        await conn.receivedAtLeast(64 * 1024);
        conn.destroy();
        await finalized;
        assert.match(String((await rig.teardown.ran(id))[0]), /ERR_STREAM_PREMATURE_CLOSE/);
        await assertServing(rig, [id]);
      });

      test(`a handler that never settles (${mode}): req.signal aborts, no teardown`, async () => {
        let aborted: Promise<unknown> = Promise.resolve();
        const id = await abortMidway(rig, keepAlive, "GET", "/hang", {
          started: (id) => {
            aborted = reported(id, "aborted");
            return reported(id, "entered");
          },
        });
        await aborted;
        await assertServing(rig, [id]);
        // The lifecycle waits for the handler, so teardown has nothing to run after yet.
        assert.equal(rig.teardown.calls(id).length, 0);
      });

      test(`a handler that settles once req.signal aborts (${mode}): teardown gets why`, async () => {
        const id = await abortMidway(rig, keepAlive, "GET", "/hang-until-abort", {
          started: (id) => reported(id, "entered"),
        });
        const torn = await rig.teardown.ran(id);
        assert.match(String(torn[0]), /AbortError: The client closed the connection/);
        await assertServing(rig, [id]);
        assert.equal(rig.teardown.calls(id).length, 1);
      });
    }
  });
}
