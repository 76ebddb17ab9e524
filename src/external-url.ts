/**
 * The last steps of `urlFor`: the application root in front of a built path, an anchor, and the
 * scheme and host of an external URL. Shared by `app.urlFor` and `req.urlFor` so both decide
 * the host the same way.
 */
import type { Config } from "./config.ts";
import { BuildError } from "./errors.ts";

/**
 * Options of `urlFor` (Flask's `_external`, `_scheme` and `_anchor`).
 *
 * @example
 * ```ts
 * req.urlFor("post", { id: 7 }, { external: true, anchor: "comments" });
 * // "https://blog.example/posts/7#comments"
 * ```
 */
export interface UrlForOptions {
  /**
   * An absolute URL with scheme and host. The host is `config.serverName` when set, otherwise
   * the request's `Host` (through trusted proxies only). Outside a request it needs `serverName`.
   */
  readonly external?: boolean;
  /**
   * The scheme of an external URL; implies `external`. Default: the request's protocol, or
   * `config.preferredUrlScheme` outside a request.
   */
  readonly scheme?: string;
  /** A fragment to append (`#...`), percent-encoded where a fragment cannot hold a character. */
  readonly anchor?: string;
}

/** The host and scheme a request was made to, as `Request` reports them. */
export interface RequestOrigin {
  readonly host: string;
  readonly protocol: string;
}

const SCHEME = /^[a-z][a-z\d+.-]*$/i;

/** `path` under `config.applicationRoot`: the prefix a proxy strips before the app sees a path. */
export function underRoot(root: string, path: string): string {
  if (root === "/" || root === "") return path;
  return (root.endsWith("/") ? root.slice(0, -1) : root) + path;
}

/**
 * Adds the anchor and, when asked, the scheme and host to a built path.
 *
 * @example
 * ```ts
 * finishUrl("/a", config, { external: true }, req); // "http://localhost:5000/a"
 * ```
 */
export function finishUrl(
  path: string,
  config: Config,
  options: UrlForOptions | undefined,
  origin: RequestOrigin | undefined,
): string {
  if (options === undefined) return path;
  let url = path;
  if (options.anchor !== undefined) url += `#${encodeAnchor(options.anchor)}`;
  const scheme = options.scheme;
  if (scheme === undefined && options.external !== true) return url;
  if (options.external === false) {
    throw new BuildError(
      `urlFor got scheme "${String(scheme)}" with external: false; a scheme needs an external URL, so drop one of the two.`,
    );
  }
  if (scheme !== undefined && !SCHEME.test(scheme)) {
    throw new BuildError(
      `urlFor got the scheme ${JSON.stringify(scheme)}, which is not a URL scheme; use a name such as "https".`,
    );
  }
  const host = config.serverName ?? (origin?.host || undefined);
  if (host === undefined) {
    throw new BuildError(
      origin === undefined
        ? 'An external URL built outside a request needs a host: set config.serverName (such as "example.com"), or build it with req.urlFor inside a request.'
        : "The request has no Host header to build an external URL from: set config.serverName.",
    );
  }
  return `${scheme ?? origin?.protocol ?? config.preferredUrlScheme}://${host}${url}`;
}

/** A fragment may hold what a query may; `#` and what is not a URL character get escaped. */
function encodeAnchor(anchor: string): string {
  try {
    return encodeURI(anchor).replaceAll("#", "%23");
  } catch (err) {
    // encodeURI throws on a lone surrogate, which no URL can carry.
    throw new BuildError(`urlFor's anchor ${JSON.stringify(anchor)} is not valid text.`, {
      cause: err,
    });
  }
}
