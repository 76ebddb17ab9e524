/**
 * Rule 12, slow clients: the timeouts phial gives node:http cut clients that trickle headers,
 * trickle a body or sit idle on a keep-alive connection, while everyone else is still served;
 * and a client that stops reading holds back the handler's stream instead of letting it run on.
 */
import assert from "node:assert/strict";
import { get as httpGet } from "node:http";
import { describe, test } from "node:test";
import { type ConfigInit, Phial } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";
import { type RawClient, rawConnect, sleep, until } from "../helpers/raw-socket.ts";

/** An app with short timeouts; each test turns off the ones it does not test. */
async function start(config: ConfigInit): Promise<{ app: Phial; port: number }> {
  const app = new Phial({
    logger: silentLogger(),
    config: { connectionsCheckingInterval: 100, ...config },
  });
  app.get("/", () => "ok");
  app.post("/upload", async (req) => ({ size: (await req.bytes()).length }));
  await app.listen({ port: 0 });
  return { app, port: app.address()?.port ?? 0 };
}

function getStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    }).on("error", reject);
  });
}

/**
 * Sends `piece` every 100 ms for at most `seconds`, while a normal client keeps asking for `/`;
 * returns whether the server hung up on the trickle, and every status the normal client got.
 */
async function trickle(
  port: number,
  client: RawClient,
  piece: string,
  seconds: number,
): Promise<{ cut: boolean; others: number[] }> {
  const others: number[] = [];
  const end = Date.now() + seconds * 1000;
  while (!client.isClosed() && Date.now() < end) {
    client.socket.write(piece);
    others.push(await getStatus(port));
    await sleep(100);
  }
  return { cut: client.isClosed(), others };
}

describe("slow clients are cut by the configured timeouts", { concurrency: true }, () => {
  test("a client that trickles its headers is answered 408 or closed by headersTimeout", async () => {
    // requestTimeout off, so only headersTimeout can end this connection.
    const { app, port } = await start({ headersTimeout: 500, requestTimeout: 0 });
    try {
      const client = await rawConnect(port);
      client.socket.write("GET / HTTP/1.1\r\nHost: x\r\n");
      // Honest requests would finish in one packet; this one would take forever.
      const { cut, others } = await trickle(port, client, "X-Slow: 1\r\n", 4);
      assert.ok(cut, "the trickling connection was still open after 4 s");
      assert.match(client.text(), /^(HTTP\/1\.1 408 |$)/);
      assert.ok(others.length > 0 && others.every((s) => s === 200), `others got ${others}`);
    } finally {
      await app.close({ timeout: 0 });
    }
  });

  test("a client that trickles its body is answered 408 or closed by requestTimeout", async () => {
    const { app, port } = await start({ headersTimeout: 400, requestTimeout: 800 });
    try {
      const client = await rawConnect(port);
      client.socket.write(
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n",
      );
      const { cut, others } = await trickle(port, client, "x", 4);
      assert.ok(cut, "the trickling upload was still open after 4 s");
      assert.match(client.text(), /^(HTTP\/1\.1 408 |$)/);
      assert.doesNotMatch(client.text(), /"size"/, "the handler never got the whole body");
      assert.ok(others.length > 0 && others.every((s) => s === 200), `others got ${others}`);
    } finally {
      await app.close({ timeout: 0 });
    }
  });

  test("an idle keep-alive connection is closed after keepAliveTimeout", async () => {
    const { app, port } = await start({ keepAliveTimeout: 300 });
    try {
      const client = await rawConnect(port);
      client.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      await client.waitFor(/\r\n\r\nok$/);
      assert.match(client.text(), /Connection: keep-alive/i);
      // Node's own default is 5 s; phial's configured 300 ms must be what counts.
      const closed = await Promise.race([client.closed.then(() => true), sleep(3000)]);
      assert.equal(closed, true, "the idle connection was still open after 3 s");
      assert.equal(await getStatus(port), 200, "and the server still answers");
    } finally {
      await app.close({ timeout: 0 });
    }
  });
});

describe("streamed responses respect backpressure", () => {
  test("a generator is not pulled further while the client does not read", async () => {
    const app = new Phial({ logger: silentLogger() });
    const chunk = Buffer.alloc(64 * 1024, 97);
    let produced = 0;
    let released = false;
    app.get("/stream", async function* stream() {
      try {
        for (;;) {
          produced++;
          yield chunk;
          // Real producers wait for I/O; this also lets the test's timers run if it never stops.
          if (produced % 16 === 0) await new Promise((r) => setImmediate(r));
        }
      } finally {
        released = true;
      }
    });
    await app.listen({ port: 0 });
    try {
      const client = await rawConnect(app.address()?.port ?? 0);
      client.socket.pause(); // reads nothing: only socket buffers can fill
      client.socket.write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
      await until(() => produced > 0, "the handler to start");
      // Wait until production stops: the same count three checks in a row.
      let last = -1;
      let steady = 0;
      while (steady < 3) {
        await sleep(100);
        steady = produced === last ? steady + 1 : 0;
        last = produced;
        // Without backpressure an endless generator never stops; 1600 chunks are 100 MiB.
        assert.ok(produced < 1600, `produced ${produced} chunks for a client that reads nothing`);
      }
      client.socket.destroy();
      await until(() => released, "the generator to be released after the client left");
    } finally {
      await app.close({ timeout: 0 });
    }
  });
});

describe("running out of resources", () => {
  test("an error the listening server reports (a failed accept) is logged, not fatal", async () => {
    const logger = silentLogger();
    const app = new Phial({ logger });
    app.get("/", () => "ok");
    const server = await app.listen({ port: 0 });
    try {
      const accept = Object.assign(new Error("accept EMFILE"), { code: "EMFILE" });
      server.emit("error", accept); // what net.Server does when accept() fails
      assert.equal(logger.errors[0]?.[1].err, accept);
      assert.equal(await getStatus(app.address()?.port ?? 0), 200);
    } finally {
      await app.close();
    }
  });
});
