import { createHmac } from "node:crypto";

/**
 * Signs a session cookie value the way the documented format says (base64url JSON, then the
 * base64url HMAC-SHA256 under HMAC-SHA256(secret, "phial.session")), so tests can forge
 * issued-at times and shapes without phial's own code.
 */
export function signSession(payload: unknown, secret: string): string {
  const body = Buffer.from(
    typeof payload === "string" ? payload : JSON.stringify(payload),
  ).toString("base64url");
  return `${body}.${signBody(body, secret)}`;
}

/** The signature part for an already encoded body. */
export function signBody(body: string, secret: string): string {
  const key = createHmac("sha256", secret).update("phial.session").digest();
  return createHmac("sha256", key).update(body).digest("base64url");
}

/** Now, in the Unix seconds the cookie's issued-at uses. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
