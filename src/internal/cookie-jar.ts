import { parseSetCookie, stringifySetCookie } from "cookie";

/**
 * A cookie held by a test client's jar.
 *
 * @example
 * ```ts
 * const sid = client.cookies.getCookie("sid");
 * assert.equal(sid?.httpOnly, true);
 * ```
 */
export interface StoredCookie {
  /** The cookie's name, as set. */
  readonly name: string;
  /** The value as the server's cookie parser will see it (percent-decoded). */
  readonly value: string;
  /** The value exactly as it was set and as it is sent back. */
  readonly rawValue: string;
  /** Host (host-only cookie) or domain the cookie belongs to, lower-case, no leading dot. */
  readonly domain: string;
  /** True when the cookie had no `Domain` attribute: sent to that exact host only. */
  readonly hostOnly: boolean;
  /**
   * The `Path` attribute; without one (or with one not starting with `/`), the default path of
   * the URL that set it.
   */
  readonly path: string;
  /** The `Secure` attribute: only sent when the client's `baseUrl` is https. */
  readonly secure: boolean;
  /** The `HttpOnly` attribute (a test client sends the cookie either way). */
  readonly httpOnly: boolean;
  /** The `SameSite` attribute, lower-case; `undefined` when absent or not a known value. */
  readonly sameSite: "lax" | "strict" | "none" | undefined;
  /** When it expires; `undefined` for a session cookie, which lives as long as the client. */
  readonly expires: Date | undefined;
}

/**
 * The read-only view of a client's cookies, as `client.cookies`.
 *
 * @example
 * ```ts
 * await client.post("/login", { form: { user: "ada" } });
 * assert.ok(client.cookies.has("session"));
 * for (const [name, value] of client.cookies) console.log(name, value);
 * ```
 */
export interface ReadonlyCookieJar extends Iterable<[string, string]> {
  /** Decoded value of the cookie called `name` (the one with the longest path if several). */
  get(name: string): string | undefined;
  /** The full record of that cookie: attributes, raw value, expiry. */
  getCookie(name: string): StoredCookie | undefined;
  /** Whether a live cookie called `name` is in the jar. */
  has(name: string): boolean;
  /** Number of live cookies. */
  readonly size: number;
  /** `[name, decodedValue]` for every live cookie, longest path first. */
  entries(): IterableIterator<[string, string]>;
  /** Every live cookie with its attributes. */
  list(): StoredCookie[];
}

/**
 * Where a request goes, as far as cookies care.
 *
 * @example
 * ```ts
 * const target: CookieTarget = { host: "localhost", path: "/admin", secure: false };
 * ```
 */
export interface CookieTarget {
  /** Lower-case host name, no port. */
  readonly host: string;
  /** Path of the request target, without query or fragment. */
  readonly path: string;
  readonly secure: boolean;
}

const identity = (s: string): string => s;

/** RFC 6265 §5.1.4: the directory of the request path. */
function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith("/")) return "/";
  const last = requestPath.lastIndexOf("/");
  return last <= 0 ? "/" : requestPath.slice(0, last);
}

/** RFC 6265 §5.1.3, without public-suffix checks (a test client talks to one app). */
function domainMatches(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** RFC 6265 §5.1.4. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length) === "/";
}

interface Entry extends StoredCookie {
  readonly created: number;
}

/**
 * A small RFC 6265 cookie store for the test clients: honours Domain (host-only by default),
 * Path, Max-Age/Expires and Secure. Parsing and validation go through the `cookie` package.
 *
 * @example
 * ```ts
 * const jar = new CookieJar();
 * const target = { host: "localhost", path: "/", secure: false };
 * jar.storeFromResponse(["sid=abc; Path=/; HttpOnly"], target);
 * jar.headerFor(target); // "sid=abc"
 * ```
 */
export class CookieJar implements ReadonlyCookieJar {
  // Keyed by name, domain and path, as RFC 6265 §5.3 step 11 replaces cookies.
  readonly #entries = new Map<string, Entry>();
  #counter = 0;

  #key(name: string, domain: string, path: string): string {
    return JSON.stringify([name, domain, path]);
  }

  /** Live entries, longest path first, then oldest first (RFC 6265 §5.4 step 2). */
  #live(): Entry[] {
    const now = Date.now();
    const live: Entry[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.expires && entry.expires.getTime() <= now) this.#entries.delete(key);
      else live.push(entry);
    }
    return live.sort((a, b) => b.path.length - a.path.length || a.created - b.created);
  }

  #put(entry: Omit<Entry, "created">, now: number): void {
    const key = this.#key(entry.name, entry.domain, entry.path);
    const previous = this.#entries.get(key);
    this.#entries.delete(key);
    if (entry.expires && entry.expires.getTime() <= now) return;
    this.#entries.set(key, { ...entry, created: previous?.created ?? this.#counter++ });
  }

  /** Applies every `Set-Cookie` header of a response to `target`; malformed ones are ignored. */
  storeFromResponse(setCookieHeaders: readonly string[], target: CookieTarget): void {
    for (const header of setCookieHeaders) this.#storeOne(header, target);
  }

  #storeOne(header: string, target: CookieTarget): void {
    const raw = parseSetCookie(header, { decode: identity });
    if (raw.name === "") return;
    const decoded = parseSetCookie(header);
    const now = Date.now();
    let domain = target.host;
    let hostOnly = true;
    if (raw.domain) {
      const attr = raw.domain.replace(/^\./, "").toLowerCase();
      // A cookie for another site is rejected, as a browser would (RFC 6265 §5.3 step 6).
      if (!domainMatches(target.host, attr)) return;
      domain = attr;
      hostOnly = false;
    }
    const path = raw.path?.startsWith("/") ? raw.path : defaultPath(target.path);
    let expires: Date | undefined;
    if (raw.maxAge !== undefined) expires = new Date(now + raw.maxAge * 1000);
    else if (raw.expires) expires = raw.expires;
    this.#put(
      {
        name: raw.name,
        value: decoded.value ?? "",
        rawValue: raw.value ?? "",
        domain,
        hostOnly,
        path,
        secure: raw.secure === true,
        httpOnly: raw.httpOnly === true,
        sameSite: typeof raw.sameSite === "string" ? raw.sameSite : undefined,
        expires,
      },
      now,
    );
  }

  /** The `Cookie` header value for a request to `target`, or `undefined` when nothing matches. */
  headerFor(target: CookieTarget): string | undefined {
    const pairs: string[] = [];
    for (const c of this.#live()) {
      if (c.secure && !target.secure) continue;
      if (c.hostOnly ? c.domain !== target.host : !domainMatches(target.host, c.domain)) continue;
      if (!pathMatches(target.path, c.path)) continue;
      // Raw values were already accepted by the cookie parser; they go back byte for byte.
      pairs.push(`${c.name}=${c.rawValue}`);
    }
    return pairs.length > 0 ? pairs.join("; ") : undefined;
  }

  /**
   * Stores a cookie as if the server at `host` had set it. The value is encoded and the name,
   * path and domain validated by `cookie.stringifySetCookie`, which throws on bad input.
   */
  set(
    name: string,
    value: string,
    host: string,
    options: { path?: string; domain?: string },
  ): void {
    const header = stringifySetCookie(name, value, {
      path: options.path ?? "/",
      ...(options.domain === undefined ? {} : { domain: options.domain }),
    });
    const domain = options.domain?.replace(/^\./, "").toLowerCase();
    const raw = parseSetCookie(header, { decode: identity });
    this.#put(
      {
        name,
        value,
        rawValue: raw.value ?? "",
        domain: domain ?? host,
        hostOnly: domain === undefined,
        path: options.path ?? "/",
        secure: false,
        httpOnly: false,
        sameSite: undefined,
        expires: undefined,
      },
      Date.now(),
    );
  }

  /** Removes cookies called `name` (only those with that path/domain when given). */
  delete(name: string, options: { path?: string; domain?: string } = {}): boolean {
    const domain = options.domain?.replace(/^\./, "").toLowerCase();
    let removed = false;
    for (const [key, c] of this.#entries) {
      if (c.name !== name) continue;
      if (options.path !== undefined && c.path !== options.path) continue;
      if (domain !== undefined && c.domain !== domain) continue;
      this.#entries.delete(key);
      removed = true;
    }
    return removed;
  }

  /** Forgets every cookie. */
  clear(): void {
    this.#entries.clear();
  }

  get(name: string): string | undefined {
    return this.getCookie(name)?.value;
  }

  getCookie(name: string): StoredCookie | undefined {
    const found = this.#live().find((c) => c.name === name);
    if (!found) return undefined;
    const { created: _created, ...cookie } = found;
    return cookie;
  }

  has(name: string): boolean {
    return this.getCookie(name) !== undefined;
  }

  get size(): number {
    return this.#live().length;
  }

  list(): StoredCookie[] {
    return this.#live().map(({ created: _created, ...cookie }) => cookie);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const c of this.#live()) yield [c.name, c.value];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}
