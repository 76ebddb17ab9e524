/**
 * The absolute form of a request target (`GET http://host/p HTTP/1.1`), which clients send to
 * proxies and origin servers must accept (RFC 9112 3.2.2). Only the rare absolute target comes
 * here; the request cuts origin-form targets itself.
 */

/**
 * The path and host of an `http(s)://host/path` target (its query already cut off); anything else
 * is kept as the path (routing refuses it). Userinfo before `@` is not part of the host; an empty
 * authority leaves the Host header in charge.
 *
 * @example
 * ```ts
 * splitAbsolute("http://example.com:8080/a/b"); // { path: "/a/b", host: "example.com:8080" }
 * splitAbsolute("*"); // { path: "*", host: undefined }
 * ```
 */
export function splitAbsolute(target: string): { path: string; host: string | undefined } {
  if (!/^https?:\/\//i.test(target)) return { path: target, host: undefined };
  const start = target.indexOf("//") + 2;
  const slash = target.indexOf("/", start);
  const authority = slash === -1 ? target.slice(start) : target.slice(start, slash);
  const host = authority.slice(authority.lastIndexOf("@") + 1);
  return { path: slash === -1 ? "/" : target.slice(slash), host: host === "" ? undefined : host };
}
