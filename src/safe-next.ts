/**
 * "Send the user back to `next`" without becoming an open redirect (security rule 8): a target
 * taken from the request is kept only when every reading of it, a browser's included, stays on
 * this site. No I/O here.
 */

const SLASH = 0x2f;
// Any origin will do: a same-site path resolves against it and keeps it.
const PROBE_ORIGIN = "http://next.phial.invalid";

/**
 * `target` when it is a path on this site, such as `/account?tab=2`, otherwise `fallback`: for
 * redirecting to a `next` parameter after a login. The target is given back unchanged (pass it to
 * `redirect()`, which percent-encodes it); nothing else is ever returned but `fallback`.
 *
 * Falls back for anything that is not a string, does not start with one `/`, or could lead
 * elsewhere in some reading: `//evil.example` and `/\evil.example` (browsers treat `\` as `/`),
 * `https://evil.example`, `https:evil.example`, `javascript:...`, control characters anywhere
 * (browsers drop tabs and newlines, so `/\t/evil.example` is `//evil.example`), a backslash in the
 * path, dot segments that collapse to `//` (`/.//evil.example`), and any of these hidden behind one
 * level of percent-encoding (`/%2F/evil.example`, `/%5Cevil.example`, `/%09/x`), or a path whose
 * escapes are malformed. `fallback` is not checked: it is your own path.
 *
 * @example
 * ```ts
 * app.post("/login", async (req) => {
 *   // ... check the password, then:
 *   return redirect(safeNext(req.query.get("next"), "/dashboard"));
 * });
 * safeNext("/posts/7?edit=1");   // "/posts/7?edit=1"
 * safeNext("//evil.example");    // "/"
 * ```
 */
export function safeNext(target: unknown, fallback = "/"): string {
  if (typeof target !== "string" || hasControl(target)) return fallback;
  const end = pathEnd(target);
  const path = target.slice(0, end);
  if (!isLocalPath(path)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return fallback;
  }
  // Another layer (a proxy, the app itself) may decode once more before acting on it.
  return decoded === path || (!hasControl(decoded) && isLocalPath(decoded)) ? target : fallback;
}

/** Where the path ends: at the first `?` or `#`. */
function pathEnd(target: string): number {
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === 0x3f || c === 0x23) return i;
  }
  return target.length;
}

/** C0 controls and DEL: browsers drop or stop at them, so what they see is not what we checked. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * A path starting with `/`, without `\`, that a URL parser keeps on the origin and does not turn
 * into a path starting with `//` (which the next redirect could read as another host).
 */
function isLocalPath(path: string): boolean {
  if (path.charCodeAt(0) !== SLASH || path.includes("\\")) return false;
  let url: URL;
  try {
    url = new URL(path, PROBE_ORIGIN);
  } catch {
    return false;
  }
  return url.origin === PROBE_ORIGIN && !url.pathname.startsWith("//");
}
