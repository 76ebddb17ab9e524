/** HTML escaping for text phial echoes into its own pages (error pages, redirect bodies). */

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

const SPECIAL = /[&<>"']/;
const SPECIAL_ALL = /[&<>"']/g;

function replace(ch: string): string {
  return ESCAPES[ch] ?? ch;
}

/**
 * Escapes `& < > " '` so the result is safe in element content and in quoted attribute values.
 * Quotes are escaped too because the same helper fills `href="..."`.
 *
 * @example
 * ```ts
 * escapeHtml(`<a href="x">`); // "&lt;a href=&quot;x&quot;&gt;"
 * ```
 */
export function escapeHtml(s: string): string {
  // Most strings need nothing; testing first avoids building a copy of them.
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, replace) : s;
}
