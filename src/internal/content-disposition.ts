/**
 * A `Content-Disposition` value for a download name, which may be any user data: an ASCII
 * fallback that can never break out of its quotes, plus the exact name in RFC 8187 form.
 */
import { percentEncode, safeSet } from "./percent-encode.ts";

// RFC 8187 attr-char: what may stay as it is in filename*; everything else is %XX-encoded.
const ATTR_CHAR = safeSet(
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~",
);

/**
 * `attachment; filename="fallback"` (or `inline; ...`), with `; filename*=UTF-8''...` when the
 * name is not plain printable ASCII. The fallback drops accents (NFKD) and other non-ASCII
 * characters and replaces `"`, `\`, `%` and control characters with `_`, so neither CR/LF nor a
 * quote can ever reach the header; old clients see the fallback, current ones the exact name.
 *
 * @example
 * ```ts
 * contentDisposition("attachment", 'résumé "final".pdf');
 * // attachment; filename="resume _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf
 * ```
 */
export function contentDisposition(type: "attachment" | "inline", name: string): string {
  const fallback = asciiFallback(name);
  const value = `${type}; filename="${fallback}"`;
  return fallback === name ? value : `${value}; filename*=UTF-8''${encodeAttr(name)}`;
}

function asciiFallback(name: string): string {
  let out = "";
  for (const ch of name.normalize("NFKD")) {
    const c = ch.charCodeAt(0);
    if (c > 0x7e) continue;
    out += c < 0x20 || ch === '"' || ch === "\\" || ch === "%" ? "_" : ch;
  }
  return out.trim() === "" ? "download" : out;
}

function encodeAttr(name: string): string {
  return percentEncode(name, ATTR_CHAR, false);
}
