/**
 * What each known config key accepts: one rule per key, used by `validate()`, by `fromFile()`
 * and by the environment reader, so the three always agree and word their messages alike.
 */
import type { ConfigFields } from "../config.ts";
import { LOG_LEVELS } from "../logger.ts";
import { parseTrustEntry } from "./proxy.ts";
import { MAX_TIMER_MS } from "./timer.ts";

/** A key phial itself reads. */
export type KnownKey = keyof ConfigFields;

/** How an environment variable's text is turned into a value of the key's type. */
type EnvKind = "boolean" | "number" | "string" | "choice" | "list" | "trustProxy";

/** What one known key accepts. */
export interface Rule {
  readonly kind: EnvKind;
  /** Completes the sentence "config.key must be ...". */
  readonly expected: string;
  readonly test: (value: unknown) => boolean;
  /** `null` is allowed; an empty environment variable means `null`. */
  readonly nullable: boolean;
  /** The allowed strings of a `"choice"` key. */
  readonly choices?: readonly string[];
  /** Never echo the value: it may be a secret. */
  readonly secret?: boolean;
}

const isBoolean = (v: unknown): boolean => typeof v === "boolean";
const isNonEmpty = (v: unknown): boolean => typeof v === "string" && v !== "";
// RFC 6265 cookie-name token characters.
const isToken = (v: unknown): boolean =>
  typeof v === "string" && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v);
const isHost = (v: unknown): boolean => typeof v === "string" && /^[^\s/,;]+$/.test(v);
const isPath = (v: unknown): boolean => typeof v === "string" && v.startsWith("/");
const isCookiePath = (v: unknown): boolean =>
  typeof v === "string" && v.startsWith("/") && !/[\s;]/.test(v);

function orNull(test: (v: unknown) => boolean, nullable: boolean): (v: unknown) => boolean {
  return nullable ? (v) => v === null || test(v) : test;
}

function boolean(nullable = false): Rule {
  const expected = nullable ? "true, false or null" : "true or false";
  return { kind: "boolean", expected, nullable, test: orNull(isBoolean, nullable) };
}

function whole(min: 0 | 1, unit: string, nullable = false, note = ""): Rule {
  const base =
    min === 1 ? `a positive whole number of ${unit}` : `a whole number of ${unit}, 0 or more`;
  const test = (v: unknown): boolean =>
    typeof v === "number" && Number.isSafeInteger(v) && v >= min;
  const expected = `${base}${nullable ? ", or null" : ""}${note}`;
  return { kind: "number", expected, nullable, test: orNull(test, nullable) };
}

/** Milliseconds for a node:http timeout or a timer: whole, from `min`, at most {@link MAX_TIMER_MS}. */
function millis(min: 0 | 1, nullable = false, note = ""): Rule {
  const test = (v: unknown): boolean =>
    typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= MAX_TIMER_MS;
  const range = `a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}`;
  const expected = `${range}${nullable ? ", or null" : ""}${note}`;
  return { kind: "number", expected, nullable, test: orNull(test, nullable) };
}

function text(expected: string, test: (v: unknown) => boolean, nullable = false): Rule {
  return {
    kind: "string",
    expected: nullable ? `${expected} or null` : expected,
    nullable,
    test: orNull(test, nullable),
  };
}

function choice(choices: readonly string[], nullable: boolean): Rule {
  const quoted = choices.map((c) => `"${c}"`);
  const expected = nullable
    ? `${quoted.join(", ")} or null`
    : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
  const test = (v: unknown): boolean => typeof v === "string" && choices.includes(v);
  return { kind: "choice", expected, nullable, choices, test: orNull(test, nullable) };
}

function list(expected: string, item: (v: unknown) => boolean, nullable = false): Rule {
  const test = (v: unknown): boolean => Array.isArray(v) && v.every(item);
  return {
    kind: "list",
    expected: nullable ? `${expected}, or null` : expected,
    nullable,
    test: orNull(test, nullable),
  };
}

const isAddressOrRange = (value: string): boolean => parseTrustEntry(value) !== undefined;

const isAddressList = (v: unknown): boolean =>
  typeof v === "string" && v.split(",").every((part) => isAddressOrRange(part.trim()));

function isTrustProxy(v: unknown): boolean {
  if (typeof v === "boolean" || typeof v === "function") return true;
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0;
  if (typeof v === "string") return isAddressList(v);
  return Array.isArray(v) && v.every((item) => typeof item === "string" && isAddressOrRange(item));
}

/** Every known key's rule; the record type makes a forgotten key a compile error. */
export const RULES: Readonly<Record<KnownKey, Rule>> = {
  debug: boolean(),
  testing: boolean(),
  secretKey: { ...text("a non-empty string", isNonEmpty, true), secret: true },
  secretKeyFallbacks: { ...list("an array of non-empty strings", isNonEmpty), secret: true },
  maxContentLength: whole(1, "bytes"),
  maxFormMemorySize: whole(1, "bytes"),
  maxFormParts: whole(1, "parts"),
  maxQueryParams: whole(1, "parameters"),
  sessionCookieName: text("a cookie name (letters, digits and !#$%&'*+-.^_`|~)", isToken),
  sessionCookieDomain: text("a domain name", isHost, true),
  sessionCookiePath: text('a path starting with "/"', isCookiePath, true),
  sessionCookieHttpOnly: boolean(),
  sessionCookieSecure: boolean(),
  sessionCookieSameSite: choice(["Lax", "Strict", "None"], true),
  sessionCookiePartitioned: boolean(),
  sessionRefreshEachRequest: boolean(),
  permanentSessionLifetime: whole(1, "seconds"),
  sendFileMaxAge: whole(0, "seconds", true),
  trustedHosts: list("an array of host names", isHost, true),
  trustProxy: {
    kind: "trustProxy",
    expected:
      "true, false, a number of proxy hops, an IP address or CIDR range (or an array or comma-separated list of them), or a function (address, hop) => boolean",
    nullable: false,
    test: isTrustProxy,
  },
  preferredUrlScheme: choice(["http", "https"], false),
  serverName: text('a host name with an optional ":port"', isHost, true),
  applicationRoot: text('a path starting with "/"', isPath),
  templatesAutoReload: boolean(true),
  maxCookieSize: whole(0, "bytes", false, " (0 turns the size warning off)"),
  logLevel: choice(LOG_LEVELS, true),
  headersTimeout: millis(1),
  requestTimeout: millis(0, false, " (0 turns it off)"),
  keepAliveTimeout: millis(1),
  connectionsCheckingInterval: millis(1),
  handlerTimeout: millis(1, true),
};

// Object.keys widens to string[]; RULES has exactly the known keys, so narrowing is safe.
/** The known keys, in the order the defaults list them. */
export const KNOWN_KEYS = Object.keys(RULES) as KnownKey[];

/** Whether phial reads this key itself. */
export function isKnownKey(key: string): key is KnownKey {
  return Object.hasOwn(RULES, key);
}

const squash = (name: string): string => name.replaceAll("_", "").toLowerCase();
const BY_SQUASHED = new Map(KNOWN_KEYS.map((key) => [squash(key), key]));

/**
 * The known key a name spells, ignoring case and underscores: `SECRET_KEY`, `secret_key` and
 * `SecretKey` all give `"secretKey"`.
 */
export function knownKeyLike(name: string): KnownKey | undefined {
  return BY_SQUASHED.get(squash(name));
}

/** The full sentence for an invalid value, or `undefined` when the value is fine. */
export function invalidValue(key: KnownKey, value: unknown): string | undefined {
  const rule = RULES[key];
  if (rule.test(value)) return undefined;
  const got = rule.secret ? `${kindOf(value)} (value hidden)` : show(value);
  const advice = hint(rule, value);
  return `config.${key} must be ${rule.expected}, got ${got}${advice || "."}`;
}

/** Settings that are each valid but that Node or browsers refuse together. */
export function conflict(config: Readonly<Record<string, unknown>>): string | undefined {
  const { headersTimeout, requestTimeout } = config;
  // node:http refuses the pair at createServer(); say which setting to change instead.
  if (
    typeof headersTimeout === "number" &&
    typeof requestTimeout === "number" &&
    requestTimeout > 0 &&
    headersTimeout > requestTimeout
  ) {
    return `config.headersTimeout (${headersTimeout} ms) must not exceed config.requestTimeout (${requestTimeout} ms): the whole request includes its headers. Lower headersTimeout or raise requestTimeout.`;
  }
  if (config.sessionCookieSecure === true) return undefined;
  if (config.sessionCookieSameSite === "None") {
    return 'config.sessionCookieSameSite is "None", which browsers accept only on secure cookies; set config.sessionCookieSecure = true (and serve over HTTPS) or use "Lax".';
  }
  if (config.sessionCookiePartitioned === true) {
    return "config.sessionCookiePartitioned needs config.sessionCookieSecure = true: browsers drop partitioned cookies that are not secure.";
  }
  return undefined;
}

function hint(rule: Rule, value: unknown): string {
  if (typeof value !== "string") return "";
  const fixed = rule.choices?.find((c) => c.toLowerCase() === value.toLowerCase());
  if (fixed !== undefined) return `; did you mean "${fixed}"?`;
  if (rule.kind === "number" && value.trim() !== "" && Number.isFinite(Number(value))) {
    return "; write it as a number, without quotes.";
  }
  if (rule.kind === "boolean" && (value === "true" || value === "false")) {
    return "; write it as a boolean, without quotes.";
  }
  return "";
}

/** A short description of a value's type, for messages that must not show the value. */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (value === "") return "an empty string";
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A value as it would be written in code, shortened for a message. */
function show(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value === "bigint") return `${value}n`;
  if (value === undefined || (typeof value === "number" && !Number.isFinite(value))) {
    return String(value);
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    return kindOf(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
