/**
 * Just enough `Accept` parsing to choose between an HTML and a JSON error page. A full content
 * negotiator is not needed for that, and a small scanner has no regex to go quadratic on garbage.
 */

// Specificity of the range that matched, so "application/json" beats "*/*" whatever their order.
const NONE = 0;
const ANY = 1;
const TYPE = 2;
const EXACT = 3;

/**
 * Whether the client ranks JSON above HTML: `application/json` or a `+json` type (such as
 * `application/problem+json`) has a higher quality than `text/html`. Each side takes the q of
 * its most specific matching range (`text/html` over `text/*` over `*\/*`). A missing or
 * unparsable header, `*\/*`, and browsers' headers all give `false`.
 *
 * @example
 * ```ts
 * prefersJson("application/json");                         // true
 * prefersJson("text/html,application/json;q=0.9");         // false
 * prefersJson("application/json, *\/*;q=0.1");             // true
 * prefersJson(undefined);                                  // false
 * ```
 */
export function prefersJson(accept: string | undefined): boolean {
  if (accept === undefined || accept === "") return false;
  let jsonQ = 0;
  let jsonRank = NONE;
  let htmlQ = 0;
  let htmlRank = NONE;
  let start = 0;
  const end = accept.length;
  while (start <= end) {
    let comma = accept.indexOf(",", start);
    if (comma === -1) comma = end;
    const entry = accept.slice(start, comma);
    start = comma + 1;

    const semi = entry.indexOf(";");
    const range = (semi === -1 ? entry : entry.slice(0, semi)).trim().toLowerCase();
    const slash = range.indexOf("/");
    if (slash <= 0 || slash === range.length - 1) continue;
    const q = semi === -1 ? 1 : quality(entry, semi + 1);
    if (q < 0) continue;
    const type = range.slice(0, slash);
    const subtype = range.slice(slash + 1);

    let json = NONE;
    let html = NONE;
    if (type === "*") {
      if (subtype === "*") json = html = ANY;
      // "*/*+json" names every JSON type; treat it as a specific JSON range.
      else if (subtype.endsWith("+json")) json = EXACT;
    } else if (type === "application") {
      if (subtype === "json" || subtype.endsWith("+json")) json = EXACT;
      else if (subtype === "*") json = TYPE;
    } else if (type === "text") {
      if (subtype === "html") html = EXACT;
      else if (subtype === "*") html = TYPE;
    }
    // Equal specificity (e.g. two JSON types): the higher q wins, as either would be served.
    if (json > jsonRank || (json === jsonRank && json !== NONE && q > jsonQ)) {
      jsonRank = json;
      jsonQ = q;
    }
    if (html > htmlRank || (html === htmlRank && html !== NONE && q > htmlQ)) {
      htmlRank = html;
      htmlQ = q;
    }
  }
  return jsonQ > htmlQ;
}

/** The `q` parameter in `params` (from `from` on), 1 when absent, -1 when malformed. */
function quality(params: string, from: number): number {
  let start = from;
  while (start < params.length) {
    let semi = params.indexOf(";", start);
    if (semi === -1) semi = params.length;
    const param = params.slice(start, semi).trim();
    start = semi + 1;
    if (param.length < 2 || (param.charCodeAt(0) | 0x20) !== 0x71 /* q */) continue;
    const eq = param.indexOf("=");
    if (eq === -1 || param.slice(1, eq).trim() !== "") continue;
    const raw = param.slice(eq + 1).trim();
    // RFC 9110 qvalue: "0", "1", "0.xxx" or "1.000"; anything else makes the entry unusable.
    if (raw.length === 0 || raw.length > 5 || !isQValue(raw)) return -1;
    return Number(raw);
  }
  return 1;
}

function isQValue(raw: string): boolean {
  const first = raw.charCodeAt(0);
  if (first !== 0x30 && first !== 0x31) return false;
  if (raw.length === 1) return true;
  if (raw.charCodeAt(1) !== 0x2e /* . */) return false;
  for (let i = 2; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x30 || c > 0x39 || (first === 0x31 && c !== 0x30)) return false;
  }
  return true;
}
