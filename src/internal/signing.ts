/**
 * HMAC-SHA256 signatures for values the app hands to clients (the session cookie), checked in
 * constant time. Kept apart so every signed value uses the same derivation and comparison.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Derived keys by `salt + "\0" + secret`; a handful of secrets at most, so a small cache. */
const derived = new Map<string, Buffer>();

/**
 * The signing key for one purpose: HMAC(secret, salt), so a secret shared with other code never
 * signs a session by accident and the raw secret is not the HMAC key.
 */
function keyFor(secret: string, salt: string): Buffer {
  const id = `${salt}\0${secret}`;
  let key = derived.get(id);
  if (key === undefined) {
    if (derived.size >= 32) derived.clear();
    key = createHmac("sha256", secret).update(salt).digest();
    derived.set(id, key);
  }
  return key;
}

/**
 * The base64url HMAC-SHA256 of `value` under `secret` (through a key derived with `salt`).
 *
 * @example
 * ```ts
 * const token = `${body}.${signature(body, config.secretKey, "phial.session")}`;
 * ```
 */
export function signature(value: string, secret: string, salt: string): string {
  return createHmac("sha256", keyFor(secret, salt)).update(value).digest("base64url");
}

/**
 * Whether `given` is the signature of `value` under one of `secrets` (tried in order). The
 * comparison is on the encoded text, so a second spelling of the same bytes (base64 padding
 * bits, other alphabets) never verifies; lengths are compared first because
 * `timingSafeEqual` throws on a mismatch.
 *
 * @example
 * ```ts
 * verify(body, sig, [config.secretKey, ...config.secretKeyFallbacks], "phial.session");
 * ```
 */
export function verify(
  value: string,
  given: string,
  secrets: readonly string[],
  salt: string,
): boolean {
  const givenBytes = Buffer.from(given, "utf8");
  for (const secret of secrets) {
    const expected = Buffer.from(signature(value, secret, salt), "ascii");
    if (expected.length === givenBytes.length && timingSafeEqual(expected, givenBytes)) {
      return true;
    }
  }
  return false;
}
