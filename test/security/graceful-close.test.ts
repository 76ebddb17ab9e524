/**
 * Rule 13, shutdown: app.close() stops accepting, lets in-flight requests finish, answers
 * requests that arrive meanwhile with 503 and Connection: close, closes idle connections, and
 * forces the rest after its deadline; under load, no request the server accepted is lost or cut.
 */
import assert from "node:assert/strict";
import { Agent, get as httpGet } from "node:http";
import { describe, test } from "node:test";
import { Phial } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";
import { nextServerSocket, rawConnect, sleep, until } from "../helpers/raw-socket.ts";

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}

describe("app.close()", { timeout: 30_000 }, () => {
  test("requests arriving on an open connection while closing get 503 and Connection: close", async () => {
    const app = new Phial({ logger: silentLogger() });
    let handled = 0;
    app.get("/", () => {
      handled++;
      return "served";
    });
    const server = await app.listen({ port: 0 });
    const port = app.address()?.port ?? 0;
    // Two clients whose request heads are under way when the close begins.
    const heads = [
      "GET / HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n",
    ];
    const clients = [];
    for (const head of heads) {
      const accepted = nextServerSocket(server);
      const client = await rawConnect(port);
      const serverSide = await accepted;
      client.socket.write(head);
      await until(() => serverSide.bytesRead === head.length, "the server to read the head");
      clients.push(client);
    }
    const closed = app.close({ timeout: 5000 });
    for (const client of clients) client.socket.write("\r\n");
    const [json, html] = clients;
    assert.ok(json && html);
    await Promise.all([json.closed, html.closed]);
    assert.match(json.text(), /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(json.text(), /\r\nConnection: close\r\n/i);
    assert.match(json.text(), /\r\n\r\n\{"error":\{"status":503,"code":"service_unavailable"/);
    assert.match(html.text(), /^HTTP\/1\.1 503 /);
    assert.match(html.text(), /\r\nConnection: close\r\n/i);
    assert.match(html.text(), /<title>503 Service Unavailable<\/title>/);
    assert.equal(handled, 0, "no handler ran for a request the closing app never accepted");
    await closed;
  });

  test("a large answer still being sent to a slow reader is finished, not cut", async () => {
    const app = new Phial();
    const size = 24 * 1024 * 1024;
    app.get("/big", () => Buffer.alloc(size, 98));
    const server = await app.listen({ port: 0 });
    const accepted = nextServerSocket(server);
    const client = await rawConnect(app.address()?.port ?? 0);
    const serverSide = await accepted;
    client.socket.pause();
    client.socket.write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
    // The handler has returned and res.end() was called; the rest waits for the reader.
    await until(() => serverSide.writableLength > 0, "the answer to back up");
    const closed = app.close({ timeout: 10_000 });
    await sleep(300); // several sweeps happen meanwhile
    client.socket.resume();
    await client.closed;
    const text = client.text();
    const headEnd = text.indexOf("\r\n\r\n") + 4;
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(client.bytes() - headEnd, size, "every byte of the body arrived");
    await closed;
  });

  test("idle keep-alive connections and connections that sent nothing are closed at once", async () => {
    const app = new Phial();
    app.get("/", () => "ok");
    const server = await app.listen({ port: 0 });
    const port = app.address()?.port ?? 0;
    const idle = await rawConnect(port);
    idle.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await idle.waitFor(/\r\n\r\nok$/);
    const accepted = nextServerSocket(server);
    const silent = await rawConnect(port); // as a browser's preconnect
    await accepted;
    const t0 = Date.now();
    await app.close({ timeout: 10_000 });
    // Well before the 10 s deadline: nothing had to be forced.
    assert.ok(Date.now() - t0 < 3000, `close() took ${Date.now() - t0} ms`);
    await Promise.all([idle.closed, silent.closed]);
  });

  test("calling close() again with a shorter timeout forces what is left now", async () => {
    const app = new Phial();
    const entered = gate();
    app.get("/hang", () => {
      entered.open();
      return new Promise<string>(() => {});
    });
    await app.listen({ port: 0 });
    const client = await rawConnect(app.address()?.port ?? 0);
    client.socket.write("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
    await entered.promise;
    const first = app.close({ timeout: 60_000 });
    const second = app.close({ timeout: 0 });
    await Promise.all([first, second]);
    await client.closed;
    assert.equal(client.text(), "", "the hung request was cut, as asked");
  });

  test("close({ timeout }) refuses a timeout that is not milliseconds", async () => {
    const app = new Phial();
    await app.listen({ port: 0 });
    try {
      for (const timeout of [-1, Number.NaN, "5" as unknown as number]) {
        await assert.rejects(app.close({ timeout }), { code: "invalid_timeout" });
      }
    } finally {
      await app.close();
    }
  });

  test("after close() the app can listen again, without Connection: close", async () => {
    const app = new Phial();
    app.get("/", () => "ok");
    await app.listen({ port: 0 });
    await app.close();
    await app.listen({ port: 0 });
    try {
      const client = await rawConnect(app.address()?.port ?? 0);
      client.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      await client.waitFor(/\r\n\r\nok$/);
      assert.match(client.text(), /Connection: keep-alive/i);
      client.socket.destroy();
    } finally {
      await app.close();
    }
  });
});

/** What one request came to, as its client saw it. */
type Outcome =
  | { kind: "answer"; status: number; body: string; connection: string | undefined }
  | { kind: "no-answer"; code: string }
  | { kind: "cut" };

function send(port: number, agent: Agent, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    let responded = false;
    const req = httpGet({ host: "127.0.0.1", port, path, agent }, (res) => {
      responded = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () =>
        resolve({
          kind: "answer",
          status: res.statusCode ?? 0,
          body,
          connection: res.headers.connection,
        }),
      );
      res.on("close", () => {
        if (!res.complete) resolve({ kind: "cut" });
      });
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      resolve(responded ? { kind: "cut" } : { kind: "no-answer", code: err.code ?? err.message });
    });
  });
}

describe("app.close() under load", { timeout: 30_000 }, () => {
  test("every request the server accepted gets a whole answer, and close() resolves", async () => {
    const app = new Phial();
    app.get("/work/<int:n>", async (req) => {
      await sleep(5 + (req.params.n % 10));
      return `done ${req.params.n}`;
    });
    const server = await app.listen({ port: 0 });
    const port = app.address()?.port ?? 0;
    let accepted = 0;
    const busy = gate();
    server.prependListener("request", () => {
      accepted++;
      if (accepted === 300) busy.open();
    });
    const answers: Outcome[] = [];
    const failures: Outcome[] = [];
    let closeStarted = false;
    let closeDone = false;
    let inFlightAtClose = 0;
    const client = async (id: number): Promise<void> => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let n = 0; !closeDone; n++) {
          const path = `/work/${id * 100_000 + n}`;
          const outcome = await send(port, agent, path);
          if (outcome.kind === "answer") {
            const expected = outcome.status === 200 ? `done ${id * 100_000 + n}` : undefined;
            if (expected !== undefined) assert.equal(outcome.body, expected);
            else assert.match(outcome.body, /503 Service Unavailable/);
            if (closeStarted && outcome.status === 200 && outcome.connection === "close") {
              inFlightAtClose++;
            }
            answers.push(outcome);
          } else {
            failures.push(outcome);
            if (outcome.kind === "no-answer" && outcome.code === "ECONNREFUSED") return;
          }
        }
      } finally {
        agent.destroy();
      }
    };
    const clients = Array.from({ length: 20 }, (_, id) => client(id));
    await busy.promise;
    closeStarted = true;
    await app.close({ timeout: 10_000 });
    closeDone = true;
    await Promise.all(clients);

    assert.deepEqual(
      failures.filter((f) => f.kind === "cut"),
      [],
      "no answer was cut mid-way",
    );
    for (const failure of failures) {
      // Refused, or reset on a keep-alive connection the server closed before reading it.
      assert.ok(
        failure.kind === "no-answer" && /^(ECONNREFUSED|ECONNRESET|EPIPE)$/.test(failure.code),
      );
    }
    assert.equal(answers.length, accepted, "every accepted request was answered");
    assert.ok(inFlightAtClose > 0, "requests in flight at close() finished with Connection: close");
    assert.ok(answers.every((a) => a.kind === "answer" && (a.status === 200 || a.status === 503)));
  });
});
