/**
 * Cookies and sessions, as properties: arbitrary JSON session data comes back identical on the
 * next request; arbitrary cookies the `cookie` package accepts come back through
 * `Response#setCookie` -> the client's jar -> `req.cookies`; and any single-byte change to a
 * signed session cookie opens an empty session with a 200, never a 500. Each property runs
 * in-process (TestClient) and, with fewer runs, over a real socket.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import { jsonify, Phial, Response } from "../../src/index.ts";
import type { Client } from "../helpers/clients.ts";
import { clientKinds } from "../helpers/clients.ts";
import { silentLogger } from "../helpers/logger.ts";

const KEY = "property-test-secret-key-0123456789";
/** Runs per client kind: the in-process client is cheap, sockets less so. */
const RUNS: Readonly<Record<string, number>> = {
  "in-process (TestClient)": 150,
  "over a socket (SocketClient)": 40,
};

const logger = silentLogger();
const app = new Phial({ staticFolder: null, logger, config: { secretKey: KEY } });

/** Replaces the whole session with the entries of the JSON body. */
app.post("/session", async (req) => {
  const { entries, permanent } = JSON.parse(await req.text()) as {
    entries: [string, unknown][];
    permanent: boolean;
  };
  req.session.clear();
  for (const [key, value] of entries) req.session.set(key, value);
  req.session.permanent = permanent;
  return "stored";
});
app.get("/session", (req) =>
  jsonify({ entries: [...req.session.entries()], permanent: req.session.permanent }),
);
/** Sets every [name, value] of the JSON body as a cookie. */
app.post("/cookies", async (req) => {
  const pairs = JSON.parse(await req.text()) as [string, string][];
  const res = new Response("set");
  for (const [name, value] of pairs) res.setCookie(name, value);
  return res;
});
app.get("/cookies", (req) => jsonify(Object.entries(req.cookies)));

// Keys that are special somewhere: prototypes, empty, dotted, non-BMP, lone surrogates.
const oddKey = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "",
  "a.b",
  "😀",
  "\ud800",
  "é\u0301",
);
const key = fc.oneof(oddKey, fc.string({ unit: "grapheme", maxLength: 8 }));
const leaf = fc.jsonValue({ maxDepth: 2 });
const value = fc.oneof(
  leaf,
  fc.dictionary(key, leaf, { maxKeys: 4 }),
  fc.array(fc.dictionary(key, leaf, { maxKeys: 3 }), { maxLength: 3 }),
  fc.string({ unit: "binary", maxLength: 20 }),
);
const sessionData = fc.record({
  entries: fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 6 }),
  permanent: fc.boolean(),
});

/** What JSON makes of a value (-0 becomes 0): what a session can promise to give back. */
function viaJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

async function store(client: Client, data: unknown): Promise<void> {
  const res = await client.post("/session", {
    body: JSON.stringify(data),
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
  assert.equal(res.status, 200, res.text());
}

async function stored(
  client: Client,
  cookie?: string,
): Promise<{ entries: [string, unknown][]; permanent: boolean }> {
  const res = await client.get("/session", cookie === undefined ? {} : { headers: { cookie } });
  assert.equal(res.status, 200, res.text());
  return res.json() as { entries: [string, unknown][]; permanent: boolean };
}

// A cookie name is a token the `cookie` package accepts: visible ASCII but ";" and "=".
const nameChar = fc
  .integer({ min: 0x21, max: 0x7e })
  .filter((c) => c !== 0x3b && c !== 0x3d)
  .map((c) => String.fromCharCode(c));
const cookieName = fc.oneof(
  fc.string({ unit: nameChar, minLength: 1, maxLength: 12 }),
  fc.constantFrom("__proto__", "constructor", "session2", "$Path", "%41", '"q"'),
);
// Values are percent-encoded by setCookie, so any well-formed string is accepted.
const cookieValue = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom("", " lead", "trail ", "a;b", "a=b", "%", "%25", '"x"', "\\"),
);
const cookies = fc.uniqueArray(fc.tuple(cookieName, cookieValue), {
  selector: ([name]) => name,
  minLength: 1,
  maxLength: 6,
});

/** One byte of a signed cookie substituted, deleted, or inserted before it. */
const tamper = fc.record({
  kind: fc.constantFrom("substitute", "delete", "insert"),
  at: fc.nat(),
  char: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
});

function tampered(cookie: string, t: { kind: string; at: number; char: string }): string {
  const i = t.at % (cookie.length + (t.kind === "insert" ? 1 : 0));
  if (t.kind === "delete") return cookie.slice(0, i) + cookie.slice(i + 1);
  if (t.kind === "insert") return cookie.slice(0, i) + t.char + cookie.slice(i);
  return cookie.slice(0, i) + t.char + cookie.slice(i + 1);
}

after(() => {
  assert.deepEqual(logger.errors, [], "nothing was logged as an error");
});

for (const kind of clientKinds) {
  const numRuns = RUNS[kind.name] ?? 20;
  const withClient = async (fn: (client: Client) => Promise<void>): Promise<void> => {
    const client = await kind.create(app);
    try {
      await fn(client);
    } finally {
      await client.close();
    }
  };

  describe(`cookie and session properties, ${kind.name}`, () => {
    test("session data set in one request comes back identical in the next", () =>
      withClient((client) =>
        fc.assert(
          fc.asyncProperty(sessionData, async (data) => {
            await store(client, data);
            const back = await stored(client);
            assert.deepStrictEqual(back.entries, viaJson(data.entries));
            // An empty session sends no cookie at all, so only a stored one keeps its flag.
            if (data.entries.length > 0) assert.equal(back.permanent, data.permanent);
          }),
          { numRuns, includeErrorInReport: true },
        ),
      ));

    test("cookies set with Response#setCookie come back in req.cookies", () =>
      fc.assert(
        fc.asyncProperty(cookies, async (pairs) =>
          // A fresh client each time, so the jar holds exactly these cookies.
          withClient(async (client) => {
            const set = await client.post("/cookies", { body: JSON.stringify(pairs) });
            assert.equal(set.status, 200, set.text());
            const res = await client.get("/cookies");
            assert.equal(res.status, 200, res.text());
            const sortByName = (list: [string, string][]) =>
              [...list].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
            assert.deepStrictEqual(sortByName(res.json() as [string, string][]), sortByName(pairs));
          }),
        ),
        { numRuns, includeErrorInReport: true },
      ));

    test("any single-byte change to a signed session cookie opens an empty session", () =>
      withClient((client) =>
        fc.assert(
          fc.asyncProperty(
            sessionData.filter((d) => d.entries.length > 0),
            fc.array(tamper, { minLength: 1, maxLength: 5 }),
            async (data, changes) => {
              await store(client, data);
              const valid = client.cookies.getCookie("session")?.rawValue;
              assert.ok(valid, "the session was stored in a cookie");
              for (const change of changes) {
                const forged = tampered(valid, change);
                // Spaces and tabs around a cookie value are not part of it (RFC 6265 §5.2).
                if (forged.trim() === valid) continue;
                const back = await stored(client, `session=${forged}`);
                assert.deepStrictEqual(back, { entries: [], permanent: false }, forged);
              }
            },
          ),
          { numRuns, includeErrorInReport: true },
        ),
      ));
  });
}
