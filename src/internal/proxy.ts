/**
 * Which proxies to believe (security rule 10): `X-Forwarded-*` headers are read only through
 * hops that `config.trustProxy` names, walking from the socket towards the client, so a client
 * can never vouch for itself by sending the headers directly.
 */
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import type { TrustProxy } from "../config.ts";

/**
 * Whether the hop at `address`, `hop` steps from the server (0: the socket's peer), is trusted:
 * `config.trustProxy` compiled, as `app.proxyTrust` gives it.
 *
 * @example
 * ```ts
 * const trusted: TrustFn = app.proxyTrust;
 * trusted("10.0.0.7", 0); // true with trustProxy: ["10.0.0.0/8"]
 * ```
 */
export type TrustFn = (address: string, hop: number) => boolean;

/**
 * Trusts no proxy: the default, and what a request of an app without `proxyTrust` uses.
 *
 * @example
 * ```ts
 * forwarded(req.raw, trustNone).ip; // the socket's peer
 * ```
 */
export const trustNone: TrustFn = () => false;
const NONE = trustNone;
const ALL: TrustFn = () => true;

/**
 * Turns `config.trustProxy` into a predicate: `false` trusts no one, `true` every hop, a number
 * that many hops, addresses and CIDR ranges (a list, or a comma-separated string) the hops whose
 * address is in them, and a function decides itself.
 *
 * @example
 * ```ts
 * compileTrust(["10.0.0.0/8"])("10.1.2.3", 0); // true
 * ```
 */
export function compileTrust(value: TrustProxy): TrustFn {
  if (value === false) return NONE;
  if (value === true) return ALL;
  if (typeof value === "function") return value;
  if (typeof value === "number") return (_address, hop) => hop < value;
  const entries = typeof value === "string" ? value.split(",") : value;
  const list = new BlockList();
  for (const raw of entries) {
    // config.validate() refused unparsable entries before the app could start.
    const entry = parseTrustEntry(raw);
    if (entry === undefined) continue;
    if (entry.bits === undefined) list.addAddress(entry.address, entry.family);
    else list.addSubnet(entry.address, entry.bits, entry.family);
  }
  return (address) => {
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? "ipv6" : "ipv4");
  };
}

/** One `trustProxy` entry: an address, or a range with its prefix length. */
export interface TrustEntry {
  readonly address: string;
  readonly family: "ipv4" | "ipv6";
  readonly bits: number | undefined;
}

/**
 * Parses one `trustProxy` entry (`"10.0.0.1"`, `"10.0.0.0/8"`, `"fd00::/8"`), or `undefined`
 * when it is neither an address nor a CIDR range: the one reading that both config validation
 * and {@link compileTrust} use.
 *
 * @example
 * ```ts
 * parseTrustEntry("10.0.0.0/8"); // { address: "10.0.0.0", family: "ipv4", bits: 8 }
 * ```
 */
export function parseTrustEntry(raw: string): TrustEntry | undefined {
  const entry = raw.trim();
  const slash = entry.indexOf("/");
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return undefined;
  const family = version === 6 ? "ipv6" : "ipv4";
  if (slash === -1) return { address, family, bits: undefined };
  const bits = entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (version === 4 ? 32 : 128)) return undefined;
  return { address, family, bits: Number(bits) };
}

/** What the trusted proxies say about a request: the client, the scheme and the host. */
export interface Forwarded {
  /** The right-most untrusted address (the socket's peer when no proxy is trusted). */
  readonly ip: string;
  /** `X-Forwarded-Proto` as the nearest trusted proxy set it, if any proxy is trusted. */
  readonly proto: string | undefined;
  /** `X-Forwarded-Host` as the nearest trusted proxy set it, if any proxy is trusted. */
  readonly host: string | undefined;
}

/**
 * Walks `X-Forwarded-For` from the right while each hop is trusted: the first untrusted address
 * is the client (all trusted: the left-most). Proto and host come from the nearest proxy only
 * when the socket's peer is trusted, since only it can have set them.
 *
 * @example
 * ```ts
 * forwarded(req.raw, compileTrust(1)).ip; // the address the proxy saw
 * ```
 */
export function forwarded(raw: IncomingMessage, trust: TrustFn): Forwarded {
  // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; a trustProxy function sees the
  // plain address, as list entries are matched against it.
  const peer = unmapped(raw.socket.remoteAddress ?? "");
  if (trust === NONE || !trust(peer, 0)) {
    return { ip: peer, proto: undefined, host: undefined };
  }
  const chain = listOf(raw.headers["x-forwarded-for"]);
  let ip = peer;
  for (let hop = 1, i = chain.length - 1; i >= 0; hop++, i--) {
    ip = chain[i] as string;
    if (!trust(ip, hop)) break;
  }
  return {
    ip,
    proto: lastOf(raw.headers["x-forwarded-proto"])?.toLowerCase(),
    host: lastOf(raw.headers["x-forwarded-host"]),
  };
}

/**
 * Whether `host` (a Host value, port allowed) is one of `allowed`; an entry starting with "."
 * also matches every subdomain (`.example.com` takes `example.com` and `a.example.com`).
 * Entries must be lower-case already (the dispatcher lowers them once, at start-up).
 *
 * @example
 * ```ts
 * hostAllowed("api.example.com:8443", [".example.com"]); // true
 * ```
 */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = hostName(host).toLowerCase();
  if (name === "") return false;
  for (const want of allowed) {
    if (want.startsWith(".")) {
      if (name === want.slice(1) || name.endsWith(want)) return true;
    } else if (name === want) {
      return true;
    }
  }
  return false;
}

/** The name part of a Host value: `[::1]:80` -> `[::1]`, `a.com:80` -> `a.com`. */
function hostName(host: string): string {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end === -1 ? "" : host.slice(0, end + 1);
  }
  const colon = host.indexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}

function listOf(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(",") : header;
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

function lastOf(header: string | string[] | undefined): string | undefined {
  const list = listOf(header);
  return list[list.length - 1];
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) -> `10.0.0.1`. */
function unmapped(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
