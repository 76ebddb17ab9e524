/**
 * Percent-encoding of UTF-8 bytes outside a set of safe ASCII characters: the one encoder behind
 * `Location` values and `filename*` parameters, which differ only in what may stay as it is.
 */

const HEX = "0123456789ABCDEF";

/**
 * A lookup table of the ASCII characters that may stay unencoded.
 *
 * @example
 * ```ts
 * const UNRESERVED = safeSet("ABCabc012-._~");
 * ```
 */
export function safeSet(chars: string): Uint8Array {
  const set = new Uint8Array(128);
  for (const ch of chars) set[ch.charCodeAt(0)] = 1;
  return set;
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined &&
    ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

/**
 * `text` with every UTF-8 byte outside `safe` written as `%XX`; with `keepEscapes`, a `%` that
 * already starts a valid escape stays as it is. Returns `text` itself when nothing changed.
 *
 * @example
 * ```ts
 * percentEncode("a b%20c", safeSet("abc"), true); // "a%20b%20c"
 * ```
 */
export function percentEncode(text: string, safe: Uint8Array, keepEscapes: boolean): string {
  // UTF-8 first, so non-ASCII is encoded per byte and lone surrogates become U+FFFD.
  const bytes = Buffer.from(text, "utf8");
  let out = "";
  let from = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b < 128 && safe[b] === 1) continue;
    if (keepEscapes && b === 0x25 /* % */ && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) continue;
    out += `${bytes.toString("latin1", from, i)}%${HEX[b >> 4]}${HEX[b & 15]}`;
    from = i + 1;
  }
  return from === 0 ? text : out + bytes.toString("latin1", from);
}
