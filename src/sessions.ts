/**
 * Sessions: the Map-like session that tracks its use, the pluggable {@link SessionInterface}
 * that opens and saves it, and the default signed-cookie interface. The request opens its
 * session on first use, so apps that never touch `req.session` pay nothing; the dispatcher saves
 * it after the afterRequest hooks.
 */
import type { Config } from "./config.ts";
import { PhialError } from "./errors.ts";
import { signature, verify } from "./internal/signing.ts";
import type { PhialLogger } from "./logger.ts";
import type { Request } from "./request.ts";
import type { Response } from "./response.ts";
import { NullSession, type Session } from "./session.ts";

/**
 * The `Path` of the session cookie: `sessionCookiePath`, else `applicationRoot` (Flask's rule),
 * so an app mounted under a prefix keeps its session to itself.
 *
 * @example
 * ```ts
 * sessionCookiePath(app.config); // "/"
 * ```
 */
export function sessionCookiePath(config: Config): string {
  return config.sessionCookiePath ?? config.applicationRoot;
}

/**
 * A Map-like session that records whether it was read (`accessed`, which any method counts as,
 * `has`, `size` and `keys` included) and changed (`modified`), so the session interface knows
 * when to send a cookie and `Vary: Cookie`. Values must be JSON-serialisable for the default
 * cookie sessions. After changing a nested value in place, set `modified = true`.
 *
 * @example
 * ```ts
 * const s = new TrackedSession([["user", 7]]);
 * s.get("user"); // 7; s.accessed is now true, s.modified still false
 * (s.get("cart") as string[] | undefined)?.push("tea"); s.modified = true;
 * ```
 */
export class TrackedSession implements Session {
  readonly #data: Map<string, unknown>;
  #permanent: boolean;
  #accessed = false;
  #modified = false;

  /**
   * A session holding `entries`, neither accessed nor modified yet: what a custom
   * {@link SessionInterface}'s `open` returns.
   *
   * @param entries The stored data, as for `new Map(entries)`.
   * @param options `permanent` (default false): see {@link TrackedSession.permanent}.
   */
  constructor(
    entries?: Iterable<readonly [string, unknown]>,
    options: { permanent?: boolean } = {},
  ) {
    this.#data = new Map(entries);
    this.#permanent = options.permanent === true;
  }

  /** Whether anything read or wrote the session. */
  get accessed(): boolean {
    return this.#accessed;
  }

  /** Whether the session changed; set it after mutating a stored object in place. */
  get modified(): boolean {
    return this.#modified;
  }

  set modified(value: boolean) {
    this.#modified = value;
    if (value) this.#accessed = true;
  }

  get(key: string): unknown {
    this.#accessed = true;
    return this.#data.get(key);
  }

  set(key: string, value: unknown): this {
    this.#accessed = true;
    this.#modified = true;
    this.#data.set(key, value);
    return this;
  }

  has(key: string): boolean {
    this.#accessed = true;
    return this.#data.has(key);
  }

  delete(key: string): boolean {
    this.#accessed = true;
    const removed = this.#data.delete(key);
    if (removed) this.#modified = true;
    return removed;
  }

  clear(): void {
    this.#accessed = true;
    if (this.#data.size > 0) this.#modified = true;
    this.#data.clear();
  }

  get size(): number {
    this.#accessed = true;
    return this.#data.size;
  }

  keys(): IterableIterator<string> {
    this.#accessed = true;
    return this.#data.keys();
  }

  /** The stored values, in insertion order. */
  values(): IterableIterator<unknown> {
    this.#accessed = true;
    return this.#data.values();
  }

  entries(): IterableIterator<[string, unknown]> {
    this.#accessed = true;
    return this.#data.entries();
  }

  /** The pairs of {@link TrackedSession.entries}: `for (const [k, v] of session)`. */
  [Symbol.iterator](): IterableIterator<[string, unknown]> {
    return this.entries();
  }

  /** Kept for the browser's lifetime (`false`) or for `config.permanentSessionLifetime`. */
  get permanent(): boolean {
    this.#accessed = true;
    return this.#permanent;
  }

  set permanent(value: boolean) {
    this.#accessed = true;
    if (value !== this.#permanent) this.#modified = true;
    this.#permanent = value;
  }

  /** The data as a plain object without prototype, as the cookie stores it. */
  toJSON(): Record<string, unknown> {
    this.#accessed = true;
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, value] of this.#data) out[key] = value;
    return out;
  }
}

/**
 * What a session interface gets from the app: its config and logger.
 *
 * @example
 * ```ts
 * const lifetime = (app: SessionApp) => app.config.permanentSessionLifetime;
 * ```
 */
export interface SessionApp {
  /** The app's configuration: secret keys, cookie attributes, lifetimes. */
  readonly config: Config;
  /** The app's logger; the default interface warns there about a cookie over `maxCookieSize`. */
  readonly logger: PhialLogger;
}

/**
 * Where sessions live (Flask's `SessionInterface`): `open` builds the session of a request
 * (`null` means "no session backend", so the request gets the read-only `NullSession`), `save`
 * writes it into the response. Replace the default signed cookie with a server-side store by
 * passing `new Phial({ sessionInterface })` or setting `app.sessionInterface` before the first
 * request. `save` runs only for requests that opened their session; it is in charge of
 * `Vary: Cookie` and of sending nothing when the session did not change.
 *
 * With `eager: false` (the default) `open` must return synchronously: it runs on the first use
 * of `req.session`. An interface whose `open` is async (a database) sets `eager: true`; the
 * session is then opened, and awaited, before the beforeRequest hooks of every request.
 *
 * @example
 * ```ts
 * const store = new Map<string, [string, unknown][]>();
 * app.sessionInterface = {
 *   open: (req) => new TrackedSession(store.get(req.cookies.sid ?? "") ?? []),
 *   save(session, req, res) {
 *     // Reuse only an id this store issued: adopting any id a client sends lets an attacker
 *     // plant one on a victim (session fixation).
 *     const sid = req.cookies.sid;
 *     const id = sid !== undefined && store.has(sid) ? sid : randomUUID();
 *     store.set(id, [...session.entries()]);
 *     if (id !== sid) res.setCookie("sid", id);
 *   },
 * };
 * ```
 */
export interface SessionInterface {
  /** Open the session before the hooks and await it (for an async `open`); default lazy. */
  readonly eager?: boolean;
  /**
   * The session of `req`, or `null` for no session backend (the request then gets a
   * `NullSession`). Must not return a promise unless `eager` is true.
   */
  open(req: Request<unknown>, app: SessionApp): Session | null | Promise<Session | null>;
  /**
   * Writes `session` into `response` (a cookie, or a store plus a cookie naming the entry),
   * including `Vary: Cookie` when the session was read. Runs after the afterRequest hooks, only
   * for requests that opened a session other than the `NullSession`; a returned promise is
   * awaited.
   */
  save(session: Session, req: Request<unknown>, response: Response, app: SessionApp): unknown;
}

/** Raised when a session cannot be stored, such as a value JSON cannot represent. */
class SessionSaveError extends PhialError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 500, "session_not_serializable", options);
  }
}

const SALT = "phial.session";
/** Signed in the future by more than this (clock skew between servers) is refused. */
const MAX_SKEW_SECONDS = 60;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The default session interface: the session travels in a cookie signed with HMAC-SHA256, as
 * Flask's. The cookie is `base64url(JSON).signature`, where the JSON is
 * `{"iat": <issued at, Unix seconds>, "permanent": <boolean>, "data": {...}}` and the signature
 * is the base64url HMAC-SHA256 of the first part under the key HMAC-SHA256(secret,
 * `"phial.session"`). It is signed with `config.secretKey` and verified against it, then
 * each of `config.secretKeyFallbacks`.
 *
 * Anything that fails (bad signature, bad base64 or JSON, a wrong shape, an expired or future
 * issued-at) opens an empty session. Keys are data: a `__proto__` or `constructor` key the app
 * stored comes back as stored and never reaches a prototype. Every session, permanent or not, is
 * refused once its issued-at is older than `permanentSessionLifetime`: a browser-session cookie
 * can outlive any browser session, so the server bounds it too. The issued-at is renewed whenever
 * the cookie is sent again. The data is readable by the client (signed, not encrypted).
 *
 * @example
 * ```ts
 * const app = new Phial({ config: { secretKey: process.env.SECRET_KEY } });
 * app.sessionInterface; // a SecureCookieSessionInterface
 * ```
 */
export class SecureCookieSessionInterface implements SessionInterface {
  open(req: Request<unknown>, app: SessionApp): TrackedSession | null {
    const config = app.config;
    if (!config.secretKey) return null;
    const value = req.cookies[config.sessionCookieName];
    if (value === undefined || value === "") return new TrackedSession();
    return (
      this.#decode(value, [config.secretKey, ...config.secretKeyFallbacks], config) ??
      new TrackedSession()
    );
  }

  save(session: Session, _req: Request<unknown>, response: Response, app: SessionApp): void {
    if (!(session instanceof TrackedSession)) return;
    const config = app.config;
    // Read before anything below touches the session itself.
    const accessed = session.accessed;
    const modified = session.modified;
    if (accessed) addVary(response, "Cookie");
    if (!config.secretKey) return;
    const empty = session.size === 0;
    const permanent = session.permanent;
    // The common case, a session only read, leaves here before anything is built or copied.
    if (!modified && (empty || !(permanent && config.sessionRefreshEachRequest))) return;
    const name = config.sessionCookieName;
    const attributes = {
      path: sessionCookiePath(config),
      domain: config.sessionCookieDomain ?? undefined,
      httpOnly: config.sessionCookieHttpOnly,
      secure: config.sessionCookieSecure,
      sameSite: sameSiteOf(config.sessionCookieSameSite),
      partitioned: config.sessionCookiePartitioned,
    };
    if (empty) {
      response.deleteCookie(name, attributes);
      return;
    }
    const data = session.toJSON();
    const issuedAt = nowSeconds();
    const lifetime = config.permanentSessionLifetime;
    const value = this.#encode({ iat: issuedAt, permanent, data }, config.secretKey);
    response.setCookie(name, value, {
      ...attributes,
      ...(permanent ? { maxAge: lifetime, expires: new Date((issuedAt + lifetime) * 1000) } : {}),
    });
    const size = Buffer.byteLength(name) + 1 + value.length;
    if (config.maxCookieSize > 0 && size > config.maxCookieSize) {
      app.logger.warn(
        `The session cookie is ${size} bytes, above config.maxCookieSize (${config.maxCookieSize}); browsers may drop it. Store less in the session, or keep it on the server.`,
        { size, limit: config.maxCookieSize },
      );
    }
  }

  #encode(payload: Payload, secret: string): string {
    let json: string;
    try {
      json = JSON.stringify(payload);
    } catch (err) {
      throw new SessionSaveError(
        "The session holds a value JSON cannot represent (a BigInt or a cycle); store plain JSON data.",
        { cause: err },
      );
    }
    const body = Buffer.from(json, "utf8").toString("base64url");
    return `${body}.${signature(body, secret, SALT)}`;
  }

  #decode(value: string, secrets: readonly string[], config: Config): TrackedSession | null {
    const dot = value.lastIndexOf(".");
    if (dot <= 0) return null;
    const body = value.slice(0, dot);
    if (!verify(body, value.slice(dot + 1), secrets, SALT) || !BASE64URL.test(body)) return null;
    let parsed: unknown;
    try {
      // JSON.parse makes "__proto__" an own key like any other, and the data lands in a Map:
      // keys the app stored come back as it stored them, none of them touching a prototype.
      parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    } catch {
      return null;
    }
    if (!isPayload(parsed)) return null;
    const age = nowSeconds() - parsed.iat;
    if (age > config.permanentSessionLifetime || age < -MAX_SKEW_SECONDS) return null;
    return new TrackedSession(Object.entries(parsed.data), { permanent: parsed.permanent });
  }
}

interface Payload {
  iat: number;
  permanent: boolean;
  data: Record<string, unknown>;
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { iat, permanent, data } = value as Partial<Payload>;
  return (
    Number.isSafeInteger(iat) &&
    typeof permanent === "boolean" &&
    typeof data === "object" &&
    data !== null &&
    !Array.isArray(data)
  );
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function sameSiteOf(value: Config["sessionCookieSameSite"]): "lax" | "strict" | "none" | false {
  return value === null ? false : (value.toLowerCase() as "lax" | "strict" | "none");
}

/** Adds `token` to the response's Vary unless it is already listed (or `*`). */
function addVary(response: Response, token: string): void {
  const current = response.headers.get("vary");
  if (current === null) {
    response.headers.set("Vary", token);
    return;
  }
  const listed = current.split(",").map((part) => part.trim().toLowerCase());
  if (!listed.includes("*") && !listed.includes(token.toLowerCase())) {
    response.headers.set("Vary", `${current}, ${token}`);
  }
}

/** @internal Opens the session ahead of the handler, for interfaces with `eager: true`. */
export async function openSessionEagerly(
  req: Request<unknown>,
  app: SessionApp,
  iface: SessionInterface,
): Promise<Session> {
  return (await iface.open(req, app)) ?? new NullSession();
}

/** @internal Saves a session the request opened; nothing to do for the NullSession. */
export async function saveSession(
  session: Session | undefined,
  req: Request<unknown>,
  response: Response,
  app: SessionApp,
  iface: SessionInterface | null,
): Promise<void> {
  if (session === undefined || iface === null || session instanceof NullSession) return;
  await iface.save(session, req, response, app);
}
