import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "./errors.ts";
import { readEnv, withNested } from "./internal/config-env.ts";
import {
  conflict,
  invalidValue,
  isKnownKey,
  KNOWN_KEYS,
  kindOf,
  knownKeyLike,
} from "./internal/config-rules.ts";
import { isPlainObject } from "./internal/plain-object.ts";
import type { LogLevel } from "./logger.ts";

/**
 * Which proxies in front of the app are trusted to report the client's address and scheme
 * (`X-Forwarded-*`): none (`false`), all (`true`), the nearest N hops (the socket's peer is
 * hop 0), the listed addresses or CIDR ranges, or those your function accepts. The client is the
 * right-most `X-Forwarded-For` address that is not trusted.
 *
 * @example
 * ```ts
 * app.config.trustProxy = ["10.0.0.0/8", "127.0.0.1"];
 * ```
 */
export type TrustProxy =
  | boolean
  | number
  | string
  | string[]
  | ((address: string, hop: number) => boolean);

/**
 * The app's configuration, `app.config`: Flask's keys in camelCase, each typed and documented
 * with its default, plus any keys of your own. Fill it in code, from an object, from `PHIAL_*`
 * environment variables or from a JSON file; the methods chain. Known keys are checked by
 * `validate()`, which the app runs when it starts serving.
 *
 * @example
 * ```ts
 * const app = new Phial({ config: { maxContentLength: 8 * 1024 * 1024 } });
 * app.config.fromFile("config.json", { optional: true }).fromEnv();
 * app.config.debug = process.env.NODE_ENV !== "production";
 * ```
 */
export class Config {
  /** Default `false`. Error pages show the error's message and stack. Never on in production. */
  declare debug: boolean;
  /** Default `false`. Set by tests; phial itself does not behave differently on it yet. */
  declare testing: boolean;
  /** Default `null`. Signs the session cookie; sessions need it. Keep it out of source control. */
  declare secretKey: string | null;
  /** Default `[]`. Old secret keys still accepted when reading sessions, newest first, so rotating keys does not log everyone out. */
  declare secretKeyFallbacks: string[];
  /** Default 1 MiB (`1048576`). Largest request body, in bytes, the body readers accept (413 above). */
  declare maxContentLength: number;
  /** Default `500_000`. Largest urlencoded form body, or multipart text fields together, in bytes, `req.form()` accepts (413 above). */
  declare maxFormMemorySize: number;
  /** Default `1000`. Most fields a form body may hold; for multipart, fields and files together (413 above). */
  declare maxFormParts: number;
  /** Default `1000`. Most parameters a query string may hold (400 above). */
  declare maxQueryParams: number;
  /** Default `"session"`. Name of the session cookie. */
  declare sessionCookieName: string;
  /** Default `null`: the cookie goes back to the host that set it only (no `Domain`). */
  declare sessionCookieDomain: string | null;
  /** Default `null`, meaning `applicationRoot`, as in Flask. `Path` of the session cookie. */
  declare sessionCookiePath: string | null;
  /** Default `true`. Hides the session cookie from page scripts (`HttpOnly`). */
  declare sessionCookieHttpOnly: boolean;
  /** Default `false`. Sends the session cookie over HTTPS only (`Secure`); turn on in production. */
  declare sessionCookieSecure: boolean;
  /** Default `"Lax"`. `SameSite` of the session cookie; `null` leaves it out. `"None"` needs `sessionCookieSecure`. */
  declare sessionCookieSameSite: "Lax" | "Strict" | "None" | null;
  /** Default `false`. Marks the session cookie `Partitioned` (CHIPS); needs `sessionCookieSecure`. */
  declare sessionCookiePartitioned: boolean;
  /** Default `true`. Re-sends a permanent session's cookie on every request, extending its life. */
  declare sessionRefreshEachRequest: boolean;
  /** Default 31 days (`2678400`). Lifetime of a permanent session, in seconds. */
  declare permanentSessionLifetime: number;
  /** Default `null`: static files carry no `max-age` and rely on conditional requests, as in Flask. Otherwise seconds. */
  declare sendFileMaxAge: number | null;
  /** Default `null`: any `Host` is accepted. Otherwise the host names served (`".example.com"` matches subdomains); others get 400. */
  declare trustedHosts: string[] | null;
  /** Default `false`: `X-Forwarded-*` headers are ignored. See {@link TrustProxy}. */
  declare trustProxy: TrustProxy;
  /** Default `"http"`. Scheme of external URLs built outside a request (`urlFor(..., { external: true })`). */
  declare preferredUrlScheme: "http" | "https";
  /** Default `null`. Host (and port) of external URLs; when set, also inside requests instead of the `Host` header. */
  declare serverName: string | null;
  /** Default `"/"`. Path a proxy mounts the app under (and strips): prefixes every `urlFor` path and the session cookie's `Path`. */
  declare applicationRoot: string;
  /** Default `null`: templates are reloaded when changed while `debug` is on. */
  declare templatesAutoReload: boolean | null;
  /** Default `4093`. Cookies larger than this many bytes draw a warning; `0` turns it off. */
  declare maxCookieSize: number;
  /** Default `null`: `"debug"` while `debug` is on, `"warn"` otherwise. Lowest level `app.logger` reports. */
  declare logLevel: LogLevel | null;
  /**
   * Default 20 s (`20000`). Milliseconds a client gets to send a request's headers; after that
   * Node answers 408 and closes. Node's own default is 60 s; an honest client sends its headers
   * in one packet, so 20 s still covers several retransmissions on a lossy link while a
   * slowloris client holds each connection a third as long. Applied by `app.listen()` (see
   * `app.serverOptions()` for servers you create).
   */
  declare headersTimeout: number;
  /**
   * Default 120 s (`120000`). Milliseconds a client gets to send a whole request, headers and
   * body; after that Node answers 408 (or closes, if the answer had started). Node's default is
   * 300 s. 120 s lets a `maxContentLength` body (1 MiB) arrive at about 70 kbit/s; raise it with
   * larger limits or `req.stream` uploads (size / slowest rate you serve), or `0` to turn it off.
   * Must be at least `headersTimeout`.
   */
  declare requestTimeout: number;
  /**
   * Default 5 s (`5000`), as Node. Milliseconds an idle keep-alive connection stays open after
   * its last answer. Behind a load balancer, set it above the balancer's idle timeout, or the
   * balancer may send a request on a connection phial is closing.
   */
  declare keepAliveTimeout: number;
  /**
   * Default 1 s (`1000`). How often Node checks `headersTimeout` and `requestTimeout`, so a slow
   * client is cut at most this long after its deadline (Node's default, 30 s, would let a
   * 20 s header deadline stretch to 50 s). The check itself is cheap.
   */
  declare connectionsCheckingInterval: number;
  /**
   * Default `null`: handlers have no time limit. Otherwise milliseconds every route's handler
   * gets to produce its value before the client is answered 503 and `req.signal` aborts; a
   * route's own `timeout` option wins (`timeout: null` exempts it).
   */
  declare handlerTimeout: number | null;
  /** Your own settings. */
  [key: string]: unknown;

  /**
   * The defaults, then `initial` over them (as {@link Config.fromObject}).
   *
   * @example
   * ```ts
   * new Config({ debug: true }).maxContentLength; // 1048576
   * ```
   */
  constructor(initial?: ConfigInit) {
    Object.assign(this, defaults());
    if (initial !== undefined) this.fromObject(initial);
  }

  /**
   * Copies the object's own keys (camelCase names, yours included); `undefined` values are
   * skipped, so `{ secretKey: process.env.SECRET_KEY }` keeps the default when the variable is
   * unset. Values are checked later, by `validate()`.
   *
   * @example
   * ```ts
   * app.config.fromObject({ secretKey: "s3cret", databaseUrl: "postgres://..." });
   * ```
   */
  fromObject(obj: Readonly<ConfigInit>): this {
    if (!isPlainObject(obj)) {
      throw new ConfigError(
        `config.fromObject() needs a plain object of settings, got ${kindOf(obj)}.`,
      );
    }
    for (const key of Object.keys(obj)) {
      if (obj[key] !== undefined) this.#set(key, obj[key], "config.fromObject()");
    }
    return this;
  }

  /**
   * Reads every environment variable that starts with `prefix`, as Flask's
   * `from_prefixed_env`. The rest of the name maps to a key ignoring case and underscores
   * (`PHIAL_SESSION_COOKIE_HTTPONLY` -> `sessionCookieHttpOnly`); names phial does not know
   * become camelCase keys (`PHIAL_MY_SETTING` -> `mySetting`) and `__` nests
   * (`PHIAL_DB__HOST` -> `config.db.host`).
   *
   * Known keys are converted and checked at once: booleans take `1/0`, `true/false`, `yes/no`,
   * `on/off`; numbers must be plain decimals; lists take a JSON array or a comma-separated list;
   * fixed choices ignore case; for keys that may be `null`, an empty value means `null`;
   * `trustProxy` takes a boolean word, a hop count or a list of addresses. Other keys get the
   * JSON value when the text parses as JSON, else the text. Variables outside the prefix are
   * never read.
   *
   * @example
   * ```ts
   * // PHIAL_MAX_CONTENT_LENGTH=2048 PHIAL_DB__HOST=db.local
   * app.config.fromEnv(); // maxContentLength 2048, db: { host: "db.local" }
   * ```
   */
  fromEnv(
    prefix = "PHIAL_",
    env: Readonly<Record<string, string | undefined>> = process.env,
  ): this {
    if (prefix === "") {
      throw new ConfigError(
        'config.fromEnv() needs a prefix such as "PHIAL_", so it never reads unrelated variables.',
      );
    }
    for (const entry of readEnv(prefix, env)) {
      const value =
        entry.nested.length === 0
          ? entry.value
          : withNested(
              this[entry.key],
              entry.nested,
              entry.value,
              entry.name,
              `config.${entry.key}`,
            );
      this.#set(entry.key, value, entry.name);
    }
    return this;
  }

  /**
   * Loads a JSON file holding an object of settings (camelCase keys). Known keys and likely
   * typos are checked at once, so the message names the file. A missing file is an error
   * unless `optional` is set.
   *
   * @example
   * ```ts
   * app.config.fromFile("config.json").fromFile("config.local.json", { optional: true });
   * ```
   */
  fromFile(path: string, options: { optional?: boolean } = {}): this {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      const code = err instanceof Error && "code" in err ? err.code : undefined;
      if (code === "ENOENT" || code === "ENOTDIR") {
        if (options.optional === true) return this;
        throw new ConfigError(
          `The config file "${path}" does not exist (looked for ${resolve(path)}); create it, fix the path, or pass { optional: true }.`,
          { cause: err },
        );
      }
      throw new ConfigError(`The config file "${path}" cannot be read: ${messageOf(err)}`, {
        cause: err,
      });
    }
    let data: unknown;
    try {
      // Editors on Windows may save a byte-order mark, which JSON.parse rejects.
      data = JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (err) {
      throw new ConfigError(`The config file "${path}" is not valid JSON: ${messageOf(err)}`, {
        cause: err,
      });
    }
    if (!isPlainObject(data)) {
      throw new ConfigError(
        `The config file "${path}" must hold a JSON object of settings, such as {"debug": true}, got ${kindOf(data)}.`,
      );
    }
    for (const [key, value] of Object.entries(data)) {
      const problem = isKnownKey(key) ? invalidValue(key, value) : typoOf(key);
      if (problem !== undefined) throw new ConfigError(`${path}: ${problem}`);
      this.#set(key, value, `The config file "${path}"`);
    }
    return this;
  }

  /**
   * Checks every known key's type and range, likely typos of known keys, and settings browsers
   * refuse together; throws a {@link ConfigError} naming the key. The app calls it when it starts
   * serving.
   *
   * @example
   * ```ts
   * app.config.sessionCookieSameSite = "lax" as "Lax";
   * app.config.validate(); // ConfigError: ... got "lax"; did you mean "Lax"?
   * ```
   */
  validate(): this {
    validateConfig(this);
    return this;
  }

  #set(key: string, value: unknown, source: string): void {
    // Own keys named like a method or Object.prototype member ("validate", "toString",
    // "__proto__") would break the object itself.
    if (key in Config.prototype) {
      throw new ConfigError(
        `${source}: "${key}" cannot be a setting, it is a built-in name of the config object; pick another name.`,
      );
    }
    this[key] = value;
  }
}

/**
 * The known keys with their types: what `Config` declares, without your own keys and methods.
 *
 * @example
 * ```ts
 * const limits: Pick<ConfigFields, "maxContentLength"> = { maxContentLength: 2048 };
 * ```
 */
export type ConfigFields = Pick<Config, DataKey<Config>>;

type DataKey<T> = keyof {
  [K in keyof T as string extends K
    ? never
    : T[K] extends (...args: never[]) => unknown
      ? never
      : K]: T[K];
};

/**
 * What `new Config()` and `new Phial({ config })` take: any known keys, typed, and your own.
 *
 * @example
 * ```ts
 * const init: ConfigInit = { debug: true, databaseUrl: "sqlite://app.db" };
 * ```
 */
export type ConfigInit = Partial<ConfigFields> & Record<string, unknown>;

/** The one place the defaults live; a fresh object each time, so no two apps share an array. */
function defaults(): ConfigFields {
  return {
    debug: false,
    testing: false,
    secretKey: null,
    secretKeyFallbacks: [],
    maxContentLength: 1024 * 1024,
    maxFormMemorySize: 500_000,
    maxFormParts: 1000,
    maxQueryParams: 1000,
    sessionCookieName: "session",
    sessionCookieDomain: null,
    sessionCookiePath: null,
    sessionCookieHttpOnly: true,
    sessionCookieSecure: false,
    sessionCookieSameSite: "Lax",
    sessionCookiePartitioned: false,
    sessionRefreshEachRequest: true,
    permanentSessionLifetime: 31 * 24 * 60 * 60,
    sendFileMaxAge: null,
    trustedHosts: null,
    trustProxy: false,
    preferredUrlScheme: "http",
    serverName: null,
    applicationRoot: "/",
    templatesAutoReload: null,
    maxCookieSize: 4093,
    logLevel: null,
    headersTimeout: 20_000,
    requestTimeout: 120_000,
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: 1_000,
    handlerTimeout: null,
  };
}

/**
 * A config holding the defaults only; the same as `new Config()`.
 *
 * @example
 * ```ts
 * defaultConfig().maxContentLength; // 1048576
 * ```
 */
export function defaultConfig(): Config {
  return new Config();
}

/**
 * What `config.validate()` does, for any object shaped like a config: throws a
 * {@link ConfigError} naming the first bad key, so a typo'd limit fails loudly at start-up
 * instead of quietly letting every body through.
 *
 * @example
 * ```ts
 * validateConfig({ ...defaultConfig(), maxContentLength: 0 }); // throws: config.maxContentLength must be ...
 * ```
 */
export function validateConfig(config: Readonly<Record<string, unknown>>): void {
  for (const key of KNOWN_KEYS) {
    const problem = invalidValue(key, config[key]);
    if (problem !== undefined) throw new ConfigError(problem);
  }
  for (const key of Object.keys(config)) {
    const typo = isKnownKey(key) ? undefined : typoOf(key);
    if (typo !== undefined) throw new ConfigError(typo);
  }
  const problem = conflict(config);
  if (problem !== undefined) throw new ConfigError(problem);
}

/** A user key that spells a known key in another case or with underscores is surely a typo. */
function typoOf(key: string): string | undefined {
  const known = knownKeyLike(key);
  if (known === undefined) return undefined;
  return `config.${key} is not a phial setting; did you mean config.${known}? Rename it, or phial will ignore it.`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
