/**
 * Generators of hostile requests for the malformed-input properties: request targets (escapes
 * valid and broken, encoded unicode, long and dot segments, absolute forms), query strings,
 * header values (Content-Type, Cookie, Accept, Host, X-Forwarded-*, Range, conditionals) and
 * bodies (JSON, urlencoded, multipart, bytes; some above the limits of ./fuzz-app.ts), for the
 * test client and as raw bytes for a socket.
 */
import fc from "fast-check";
import { BOUNDARY, multipartBody } from "../helpers/multipart.ts";
import { LIMITS, ROUTE_TEMPLATES } from "./fuzz-app.ts";

const hex = (bytes: Uint8Array): string =>
  [...bytes].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");

/** Visible ASCII: what a request target can hold as it is. */
const targetChar = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));

/** One raw (still encoded) path segment. */
const segment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "1",
    "42",
    "0",
    "-1",
    "007",
    "9007199254740993",
    "1.5",
    "-2.5",
    "red",
    "abc",
    "a-b",
    "notes.txt",
    "8a1b3c4d-0000-4000-8000-123456789abc",
    "8A1B3C4D-0000-4000-8000-123456789ABC",
    "site.css",
    "a.txt",
    ".env",
    "sub",
    "items",
    "",
    ".",
    "..",
    "%2e%2e",
    "%2E",
    "%2F",
    "a%2Fb",
    "%2Fetc",
    "a%2F",
    "a%2F%2Fb",
    "%5C",
    "..%5C..",
    "%00",
    "%",
    "%%",
    "%zz",
    "%4",
    "%E0%A4%A",
    "%C3%A9",
    "%C3",
    "%F0%9F%98%80",
    "%ED%A0%80",
    "%FF%FE",
    "~",
    "a;b",
    "@",
  ),
  fc.string({ unit: targetChar, maxLength: 12 }),
  fc.uint8Array({ maxLength: 12 }).map(hex),
  fc.string({ unit: "grapheme", maxLength: 6 }).map(encodeURIComponent),
  // Long segments: the router and the static files must stay quick and calm. Three of them stay
  // under Node's 16 KiB header limit, whose 431 only the socket test can see.
  fc
    .tuple(fc.integer({ min: 300, max: 3000 }), fc.constantFrom("a", "%41", "1", "../", "%2F"))
    .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length))),
);

const path: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...ROUTE_TEMPLATES), fc.array(segment, { minLength: 3, maxLength: 3 }))
      .map(([template, [a, b, c]]) =>
        template
          .replace("{}", a ?? "")
          .replace("{}", b ?? "")
          .replace("{}", c ?? ""),
      ),
  },
  { weight: 2, arbitrary: fc.array(segment, { maxLength: 5 }).map((segs) => `/${segs.join("/")}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "*",
      "http://localhost/info",
      "https://evil.example/users/1",
      "HTTP://x",
      "//evil.example/",
      "/\\evil.example",
      "/%",
      "/./info",
      "/info/..",
      "/static/..%2f..%2fetc%2fpasswd",
      "/static/%2e%2e/%2e%2e/etc/passwd",
    ),
  },
);

const queryKey = fc.oneof(
  fc.constantFrom("q", "m", "c", "name", "next", "stop", "__proto__", "constructor", "a[b]", ""),
  fc.string({ unit: targetChar, maxLength: 6 }),
);
const queryValue = fc.oneof(
  fc.constantFrom(
    "//evil.example",
    "/\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "%0D%0ASet-Cookie:%20x=1",
    "%0d%0a",
    "/ok?x=1#y",
    "{{7*7}}",
    "<script>",
    "%",
    "%E0%A4%A",
    "+",
  ),
  fc.string({ unit: targetChar, maxLength: 12 }),
  fc.uint8Array({ maxLength: 8 }).map(hex),
);
const query: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc
    .array(fc.tuple(queryKey, queryValue), { maxLength: LIMITS.maxQueryParams + 4 })
    .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`),
  fc.string({ unit: targetChar, maxLength: 30 }).map((q) => `?${q}`),
);
const fragment = fc.oneof(
  { weight: 5, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.string({ unit: targetChar, maxLength: 8 }).map((f) => `#${f}`) },
);

// Node's parser refuses a fragment after an absolute-form target, and "*" takes nothing after
// it: those would be Node's 400s, which the socket test covers.
const anyTarget: fc.Arbitrary<string> = fc
  .tuple(path, query, fragment)
  .map(([p, q, f]) => (p === "*" ? p : p.startsWith("/") ? `${p}${q}${f}` : `${p}${q}`));

/** The routes that put query values into a header, a template, the session or a URL. */
const echoTarget: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("/redirect?next=", "/hello?name=", "/flash?m=", "/session?q=", "/link?"),
    queryKey,
    queryValue,
    queryValue,
  )
  .map(([start, k, v, w]) =>
    start.endsWith("?") ? `${start}${k}=${v}` : `${start}${v}&c=${w}&${k}=${w}`,
  );

/** Routes whose params go somewhere: their own URL built back, or a file looked up. */
const paramTarget: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(
      "/files/{}",
      "/files/{}/{}",
      "/docs/{}/{}",
      "/a/{}",
      "/users/{}",
      "/shop/{}/items",
    ),
    segment,
    segment,
  )
  .map(([template, a, b]) => template.replace("{}", a).replace("{}", b));

const target = fc.oneof({ weight: 5, arbitrary: anyTarget }, { weight: 1, arbitrary: echoTarget });

/** What Node lets a client put in a header value: tab, visible ASCII, space and latin1. */
const headerChar = fc
  .oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.constantFrom(0x09, 0x80, 0xa0, 0xe9, 0xff) },
  )
  .map((c) => String.fromCharCode(c));
const anyHeaderValue = fc.string({ unit: headerChar, maxLength: 60 });
const headerValue = (...odd: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...odd) },
    { weight: 1, arbitrary: anyHeaderValue },
  );

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  'application/json; charset="UTF-8"',
  "application/problem+json",
  "APPLICATION/JSON",
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=iso-8859-1",
  "application/x-www-form-urlencoded; charset=bogus",
  "multipart/form-data",
  "multipart/form-data; boundary=",
  "multipart/form-data; boundary=----phialTestBoundary7MA4YWxk",
  'multipart/form-data; boundary="unterminated',
  "text/plain",
  "text/plain; charset=utf-16le",
  "text/plain; charset=shift_jis",
  "text/plain; charset=nope",
  "application/octet-stream",
  "a/b; c",
  ";;;",
  "/",
  "text/",
  "",
];

const headers = fc.record(
  {
    "content-type": headerValue(...CONTENT_TYPES),
    cookie: headerValue(
      "session=abc.def",
      "session=",
      "session=.",
      "session=eyJpYXQiOjF9.AAAA",
      "session=%ZZ; session=x",
      "a=%",
      "=;=;",
      "__proto__=1; constructor=2",
      `big=${"x".repeat(3000)}`,
      ";",
    ),
    accept: headerValue(
      "application/json",
      "text/html;q=0.5, application/json",
      "application/json;q=abc",
      "*/*;q=0",
      "application/*;q=1.5, text/*;q=-1",
      ",,,",
    ),
    host: headerValue(
      "localhost",
      "",
      "evil.example:99999",
      "[::1]",
      "[::1",
      "a..b",
      "LOCALHOST.",
      "h\u00f4te",
      "a b",
    ),
    "x-forwarded-for": headerValue(
      "1.2.3.4",
      "1.2.3.4, unknown",
      "::ffff:10.0.0.1, 127.0.0.1",
      ", ,",
      "999.1.1.1",
      "[::1]:80",
      "x".repeat(500),
    ),
    "x-forwarded-proto": headerValue("https", "HTTPS", "gopher", "https, http", ""),
    "x-forwarded-host": headerValue("example.com", "example.com, evil", "", "[::1]:8080"),
    forwarded: headerValue('for="[::1]";proto=https', "for=unknown", ";;;"),
    range: headerValue(
      "bytes=0-10",
      "bytes=-5",
      "bytes=5-1",
      "bytes=0-0,1-1,2-2",
      "bytes=x",
      "items=1-2",
    ),
    "if-none-match": headerValue("*", '"abc"', 'W/"x", "y"', ","),
    "if-modified-since": headerValue(
      "Thu, 01 Jan 1970 00:00:00 GMT",
      "yesterday",
      "Mon, 99 Foo 2024",
    ),
    "if-range": headerValue('"abc"', "Thu, 01 Jan 1970 00:00:00 GMT", "nope"),
  },
  { requiredKeys: [] },
);

const jsonText = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(
    "",
    " ",
    "{",
    '{"a":',
    "nul",
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"\\u005f_proto__":1}',
    "\ufeff{}",
    `${"[".repeat(3000)}${"]".repeat(3000)}`,
    `${"[".repeat(3000)}`,
  ),
);

const formBody = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: LIMITS.maxFormParts + 4 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&"));

/** A multipart body, sometimes cut short anywhere. */
const multipart = fc
  .tuple(
    fc.array(
      fc.record({
        name: fc.constantFrom("a", "b", "__proto__", "f", ""),
        value: fc.oneof(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 })),
        filename: fc.option(fc.constantFrom("a.txt", "../../etc/passwd", "..", "", "C:\\x\\y.txt")),
      }),
      { maxLength: 4 },
    ),
    fc.nat(),
    fc.boolean(),
  )
  .map(([parts, cut, truncate]) => {
    const built = multipartBody(
      parts.map((p) => ({
        name: p.name,
        value: p.value,
        ...(p.filename === null ? {} : { filename: p.filename }),
      })),
    ).body;
    return truncate ? built.subarray(0, cut % (built.length + 1)) : built;
  });

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.constantFrom(
    Buffer.from([0xff, 0xfe, 0x00]),
    Buffer.alloc(LIMITS.maxContentLength + 10, 0x61),
  ),
);

const body: fc.Arbitrary<Uint8Array | string | undefined> = fc.oneof(
  fc.constant(undefined),
  jsonText,
  formBody,
  multipart,
  bytes,
);

/** A body with the Content-Type that announces it (odd parameters included). */
const typedBody: fc.Arbitrary<[Uint8Array | string, string]> = fc.oneof(
  fc.tuple(
    jsonText,
    fc.constantFrom("application/json", "application/json; charset=UTF-8", "application/ld+json"),
  ),
  fc.tuple(
    formBody,
    fc.constantFrom(
      "application/x-www-form-urlencoded",
      "application/x-www-form-urlencoded; charset=iso-8859-1",
    ),
  ),
  fc.tuple(multipart, fc.constant(`multipart/form-data; boundary=${BOUNDARY}`)),
  fc.tuple(
    bytes,
    fc.constantFrom("application/octet-stream", "text/plain", "text/plain; charset=utf-16le"),
  ),
);

/** One request for the test client. */
export interface FuzzRequest {
  readonly hooks: boolean;
  readonly method: string;
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | string | undefined;
}

const anyRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  hooks: fc.boolean(),
  method: fc.constantFrom(
    "GET",
    "GET",
    "POST",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "HEAD",
    "OPTIONS",
  ),
  target,
  headers,
  body,
});

/** A request to a handler that reads its body, mostly with a fitting Content-Type. */
const bodyRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    hooks: fc.boolean(),
    method: fc.constantFrom("POST", "PUT", "PATCH"),
    reader: fc.constantFrom("json", "text", "form", "bytes", "auto"),
    query,
    headers,
    typed: typedBody,
    fitting: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ hooks, method, reader, query: q, headers: h, typed: [b, type], fitting }) => ({
    hooks,
    method,
    target: `/echo/${reader}${q}`,
    headers: fitting > 0 ? { ...h, "content-type": type } : h,
    body: b,
  }));

/** A GET whose input goes somewhere: a header, a template, the session, a URL, a file name. */
const inputRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  hooks: fc.boolean(),
  method: fc.constant("GET"),
  target: fc.oneof(echoTarget, paramTarget),
  headers,
  body: fc.constant(undefined),
});

/** Requests for the test client: anything, a body to read, or input to echo. */
export const request: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 3, arbitrary: anyRequest },
  { weight: 1, arbitrary: bodyRequest },
  { weight: 1, arbitrary: inputRequest },
);

/** A short description of a request for failure messages. */
export function describeRequest(r: FuzzRequest): string {
  const size = r.body === undefined ? "none" : `${r.body.length} bytes`;
  return `${r.method} ${r.target.slice(0, 200)} (hooks: ${r.hooks}, body: ${size}) ${JSON.stringify(r.headers).slice(0, 300)}`;
}

// ---- raw requests ---------------------------------------------------------------------------

const latin1 = (text: string): Buffer => Buffer.from(text, "latin1");

/** A header line as raw bytes: a known name with a generated value, or random bytes. */
const rawHeaderLines = fc.oneof(
  headers.map((h) => Object.entries(h).map(([name, value]) => latin1(`${name}: ${value}\r\n`))),
  fc.array(
    fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.concat([Buffer.from(b), latin1("\r\n")])),
    { maxLength: 2 },
  ),
  // Past Node's 16 KiB header limit: its own 431.
  fc.constant([latin1(`X-Big: ${"a".repeat(20_000)}\r\n`)]),
);

/** Raw request bytes for a socket; `hooks` picks the app. */
export const rawRequest: fc.Arbitrary<{ hooks: boolean; bytes: Buffer }> = fc
  .record({
    hooks: fc.boolean(),
    method: fc.constantFrom("GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "BREW", "get", ""),
    target: fc.oneof(
      { weight: 4, arbitrary: target.map(latin1) },
      {
        weight: 1,
        arbitrary: fc
          .uint8Array({ minLength: 1, maxLength: 40 })
          .map((b) => Buffer.from(b) as Buffer),
      },
      // Bytes above 0x7F, which the test client leaves to this test (Node's parser refuses them).
      {
        weight: 1,
        arbitrary: fc.constantFrom("/caf\u00e9", "/users/\u00ff", "/\u0080").map(latin1),
      },
    ),
    version: fc.constantFrom("HTTP/1.1", "HTTP/1.1", "HTTP/1.0"),
    host: fc.option(headerValue("localhost", "", "evil.example"), { nil: undefined }),
    lines: rawHeaderLines,
    body: fc.option(
      body.map((b) => (b === undefined ? Buffer.alloc(0) : Buffer.from(b))),
      { nil: undefined },
    ),
    chunked: fc.boolean(),
  })
  .map((r) => {
    const head: Buffer[] = [latin1(`${r.method} `), r.target, latin1(` ${r.version}\r\n`)];
    if (r.host !== undefined) head.push(latin1(`Host: ${r.host}\r\n`));
    head.push(...r.lines);
    head.push(latin1("Connection: close\r\n"));
    let payload: Buffer = Buffer.alloc(0);
    if (r.body !== undefined) {
      if (r.chunked) {
        head.push(latin1("Transfer-Encoding: chunked\r\n"));
        const size = r.body.length.toString(16);
        payload =
          r.body.length === 0
            ? latin1("0\r\n\r\n")
            : Buffer.concat([latin1(`${size}\r\n`), r.body, latin1("\r\n0\r\n\r\n")]);
      } else {
        head.push(latin1(`Content-Length: ${r.body.length}\r\n`));
        payload = r.body;
      }
    }
    return { hooks: r.hooks, bytes: Buffer.concat([...head, latin1("\r\n"), payload]) };
  });
