import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import type {
  ClientApp,
  ClientOptions,
  ConnectionOptions,
  RequestHandler,
} from "../../src/internal/client-core.ts";
import { ClientCore, listenerOf } from "../../src/internal/client-core.ts";
import { TestClient } from "../../src/testing.ts";

/**
 * A client with `TestClient`'s interface that talks to a real server over TCP on 127.0.0.1:
 * the reference the in-process client is checked against, and the way security tests send
 * hostile input over a real socket. Paths are sent as given, as with `TestClient`; the Host
 * header still comes from `baseUrl` (default `localhost`), so both clients look alike to the app.
 *
 * @example
 * ```ts
 * const client = await SocketClient.start(app);
 * const res = await client.get("/%2e%2e/etc/passwd");
 * assert.equal(res.status, 404);
 * await client.close();
 * ```
 */
export class SocketClient extends ClientCore {
  readonly #server: http.Server;
  readonly #port: number;
  // Our own agent, so close() can drop idle keep-alive sockets without touching the global one.
  readonly #agent = new http.Agent({ keepAlive: true });
  #closed = false;

  private constructor(server: http.Server, options: ClientOptions) {
    super(options);
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  /** Starts `http.createServer(app.handler)` on 127.0.0.1, on a free port, and connects to it. */
  static async start(
    app: ClientApp | RequestHandler,
    options: ClientOptions = {},
  ): Promise<SocketClient> {
    const server = http.createServer(listenerOf(app));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return new SocketClient(server, options);
  }

  /** Port the server listens on. */
  get port(): number {
    return this.#port;
  }

  protected connection(): ConnectionOptions {
    return { agent: this.#agent, host: "127.0.0.1", port: this.#port };
  }

  protected assertOpen(): void {
    if (this.#closed) throw new Error("This SocketClient is closed; start a new one.");
  }

  /** Closes the server and every connection, idle keep-alive ones included. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#agent.destroy();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}

/**
 * Either test client: feature tests are written once against this.
 *
 * @example
 * ```ts
 * async function expectHello(client: Client) {
 *   assert.equal((await client.get("/")).text(), "hello");
 * }
 * ```
 */
export type Client = TestClient | SocketClient;

/**
 * How to make each kind of client, for tests that need more control than {@link forBothClients}.
 *
 * @example
 * ```ts
 * for (const kind of clientKinds) {
 *   it(kind.name, async () => {
 *     const client = await kind.create(app, { baseUrl: "https://localhost" });
 *     // ...
 *     await client.close();
 *   });
 * }
 * ```
 */
export const clientKinds: readonly {
  readonly name: string;
  readonly create: (app: ClientApp | RequestHandler, options?: ClientOptions) => Promise<Client>;
}[] = [
  { name: "in-process (TestClient)", create: async (app, options) => new TestClient(app, options) },
  {
    name: "over a socket (SocketClient)",
    create: (app, options) => SocketClient.start(app, options),
  },
];

/**
 * Declares a `describe(name)` block that runs `fn` twice, once with a `TestClient` and once with
 * a `SocketClient`, each on a fresh app from `makeApp`, closing the client afterwards.
 *
 * @example
 * ```ts
 * forBothClients("echoes the path", () => (req, res) => res.end(req.url), async (client) => {
 *   assert.equal((await client.get("/a/../b")).text(), "/a/../b");
 * });
 * ```
 */
export function forBothClients(
  name: string,
  makeApp: () => ClientApp | RequestHandler,
  fn: (client: Client) => Promise<void>,
  options?: ClientOptions,
): void {
  describe(name, () => {
    for (const kind of clientKinds) {
      it(kind.name, async () => {
        const client = await kind.create(makeApp(), options);
        try {
          await fn(client);
        } finally {
          await client.close();
        }
      });
    }
  });
}
