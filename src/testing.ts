/**
 * Testing helpers: {@link TestClient} sends requests to an app in-process, with no port.
 *
 * @module phial/testing
 */
import http from "node:http";
import { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type {
  ClientApp,
  ClientOptions,
  ConnectionOptions,
  RequestHandler,
} from "./internal/client-core.ts";
import { ClientCore, listenerOf } from "./internal/client-core.ts";
import type { DuplexPairOptions, PairSocket } from "./internal/duplex-pair.ts";
import { createDuplexPair } from "./internal/duplex-pair.ts";
import { Request, type RequestOwner } from "./request.ts";
import { Response } from "./response.ts";
import type { Session } from "./session.ts";
import { NullSession } from "./session.ts";
import { sessionCookiePath } from "./sessions.ts";

export type {
  ClientApp,
  ClientOptions,
  RequestHandler,
  RequestOptions,
} from "./internal/client-core.ts";
export { MAX_REDIRECTS } from "./internal/client-core.ts";
export type { ReadonlyCookieJar, StoredCookie } from "./internal/cookie-jar.ts";
export type { BodyOptions, ParamsInit, ParamValue } from "./internal/request-encoding.ts";
export { TestResponse } from "./internal/test-response.ts";

/** An agent whose connections are in-memory pairs, the far end handed to a server. */
class PairAgent extends http.Agent {
  readonly #accept: (socket: PairSocket) => void;
  readonly #pairOptions: DuplexPairOptions;

  constructor(accept: (socket: PairSocket) => void, pairOptions: DuplexPairOptions) {
    // Keep-alive like Node's global agent, so the app sees the same headers as from a real client
    // and connection reuse is exercised.
    super({ keepAlive: true });
    this.#accept = accept;
    this.#pairOptions = pairOptions;
  }

  override createConnection(): Duplex {
    const [client, server] = createDuplexPair(this.#pairOptions);
    this.#accept(server);
    return client;
  }
}

/**
 * Sends requests to an app in-process, with no port: each connection is an in-memory socket
 * pair between `http.request` and a non-listening `http.createServer(app.handler)`, so Node's
 * HTTP parser runs on both ends and the app gets a real `IncomingMessage` and `ServerResponse`
 * (`req.socket.remoteAddress` is `127.0.0.1`; `encrypted` is true when `baseUrl` is https).
 *
 * Paths are sent exactly as given: no normalisation, no resolution of `..`, no re-encoding, so
 * `/a/../b`, `/%2e%2e/x`, `/a%2Fb` and `//x` reach `req.url` untouched. Only what `http.request`
 * itself refuses (spaces, control characters, characters above U+00FF) cannot be sent; characters
 * U+0080 to U+00FF go out as single latin1 bytes, which Node's parser answers with 400, so send
 * non-ASCII percent-encoded.
 *
 * A cookie jar is kept across requests (Path, Domain, Max-Age/Expires; Secure cookies are only
 * sent when `baseUrl` is https). Redirects (301/302/303/307/308) are followed on request, at
 * most {@link MAX_REDIRECTS} hops, and never to another origin.
 *
 * The client holds no timer or handle, so it never keeps the process alive; `close()` drops its
 * connections.
 *
 * @example
 * ```ts
 * import { TestClient } from "phial/testing";
 *
 * const client = new TestClient(app);
 * const res = await client.post("/users", { json: { name: "Ada" } });
 * assert.equal(res.status, 201);
 * assert.deepEqual(res.json(), { id: 1, name: "Ada" });
 * await client.close();
 * ```
 */
export class TestClient extends ClientCore {
  readonly #agent: PairAgent;
  readonly #sockets = new Set<PairSocket>();
  /** The app when it is a phial app (it has a session interface), for sessionTransaction. */
  readonly #owner: RequestOwner | undefined;
  #closed = false;

  /**
   * A client for `app`. Nothing listens on a port; each connection is an in-memory socket pair.
   *
   * @param app A phial app, or anything with a `handler(req, res)`, or a bare listener.
   * @param options `baseUrl` (default `http://localhost`), `followRedirects` (default false),
   *   `headers` sent with every request.
   */
  constructor(app: ClientApp | RequestHandler, options: ClientOptions = {}) {
    super(options);
    this.#owner = isPhialApp(app) ? app : undefined;
    const server = http.createServer(listenerOf(app));
    const base = new URL(this.origin);
    const encrypted = base.protocol === "https:";
    const serverPort = base.port === "" ? (encrypted ? 443 : 80) : Number(base.port);
    this.#agent = new PairAgent(
      (socket) => {
        this.#sockets.add(socket);
        socket.once("close", () => this.#sockets.delete(socket));
        server.emit("connection", socket);
      },
      { serverPort, encrypted },
    );
  }

  protected connection(): ConnectionOptions {
    return { agent: this.#agent };
  }

  protected assertOpen(): void {
    if (this.#closed) throw new Error("This TestClient is closed; create a new one.");
  }

  /**
   * Opens the session the next request would see, from the client's cookie jar and through the
   * app's session interface, runs `fn` on it, then saves it back into the jar, as Flask's
   * `session_transaction`: seed a session before a request, or read what the last one left.
   * Resolves to what `fn` returns. Needs a phial app whose session interface opens a session
   * (a `secretKey` for the default cookies).
   *
   * @example
   * ```ts
   * await client.sessionTransaction((session) => { session.set("userId", 1); });
   * const res = await client.get("/dashboard"); // logged in as user 1
   * const flashes = await client.sessionTransaction((session) => session.get("_flashes"));
   * ```
   */
  async sessionTransaction<T>(fn: (session: Session) => T | Promise<T>): Promise<T> {
    this.assertOpen();
    const owner = this.#owner;
    const iface = owner?.sessionInterface ?? null;
    if (owner === undefined || iface === null) {
      throw new TypeError(
        "sessionTransaction() needs a phial app with a session interface (app.sessionInterface is null or the client was given a bare listener).",
      );
    }
    // The jar sends the session cookie only to paths under its Path, so ask as a request there.
    const path = sessionCookiePath(owner.config);
    const req = this.#sessionRequest(owner, path);
    const session = (await iface.open(req, owner)) ?? new NullSession();
    if (session instanceof NullSession) {
      throw new TypeError(
        "The app's session interface opened no session; set app.config.secretKey to use sessions.",
      );
    }
    const result = await fn(session);
    const response = new Response();
    await iface.save(session, req, response, owner);
    this.storeCookies(response.headers.getAll("set-cookie"), path);
    return result;
  }

  /** A `GET path` carrying the jar's cookies for it, never sent: what the session opens from. */
  #sessionRequest(owner: RequestOwner, path: string): Request {
    const raw = new http.IncomingMessage(new Socket());
    raw.method = "GET";
    raw.url = path;
    raw.headers = { host: this.host };
    const cookie = this.cookieHeaderFor(path);
    if (cookie !== undefined) raw.headers.cookie = cookie;
    return new Request(raw, new http.ServerResponse(raw), owner);
  }

  /** Drops every connection (in-flight requests fail) and refuses further requests. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#agent.destroy();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}

function isPhialApp(app: ClientApp | RequestHandler): app is ClientApp & RequestOwner {
  return typeof app === "object" && "sessionInterface" in app && "config" in app;
}
