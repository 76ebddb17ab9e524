/**
 * Security rule 5: the Content-Type is parsed once (case-insensitive, parameters aside), and that
 * one parsed value (`req.mediaType`) is what picks the parser and what any check of the handler
 * sees. An unknown or malformed type is 415; an empty JSON body, bad JSON or invalid UTF-8 is 400.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { abort, Phial } from "../../src/index.ts";
import { clientKinds } from "../helpers/clients.ts";
import { silentLogger } from "../helpers/logger.ts";
import { BOUNDARY, multipartBody } from "../helpers/multipart.ts";
import { rawExchange } from "../helpers/raw-http.ts";
import { serveDuringFile } from "../helpers/serve.ts";

function makeApp(): Phial {
  const app = new Phial({ staticFolder: null, logger: silentLogger() });
  app.post("/json", async (req) => ({ v: await req.json(), essence: req.mediaType?.essence }));
  app.post("/text", async (req) => ({ v: await req.text() }));
  app.post("/form", async (req) => ({ v: (await req.form()).toObject() }));
  app.post("/files", async (req) => ({ v: [...(await req.files()).keys()] }));
  // A handler's own check reads the same parsed value the parser does.
  app.post("/checked", async (req) => {
    if (req.mediaType?.essence !== "application/json") abort(415, "JSON only here.");
    return { v: await req.json() };
  });
  return app;
}

/** One request body with its Content-Type (`undefined`: no header) and the expected answer. */
interface Case {
  readonly path: string;
  readonly type: string | undefined;
  readonly body: string | Buffer;
  readonly status: number;
  readonly v?: unknown;
}

const json = (type: string | undefined, body: string | Buffer, status: number, v?: unknown) =>
  ({ path: "/json", type, body, status, v }) satisfies Case;

const MULTIPART = multipartBody([{ name: "f", value: "x", filename: "a.txt" }]).body;

const PARSED_ONCE: readonly Case[] = [
  json("Application/JSON; charset=UTF-8", '{"a":1}', 200, { a: 1 }),
  json("APPLICATION/JSON", '{"a":1}', 200, { a: 1 }),
  json('application/json;charset="utf-8"', "[1]", 200, [1]),
  json("application/json ; charset=utf-8", "[2]", 200, [2]),
  json("application/json; charset=utf-8; charset=latin1", "[3]", 200, [3]),
  json("application/problem+json", '{"title":"x"}', 200, { title: "x" }),
  { path: "/checked", type: "Application/Json; Charset=UTF-8", body: "[4]", status: 200, v: [4] },
  {
    path: "/form",
    type: "Application/X-WWW-Form-Urlencoded; Charset=UTF-8",
    body: "a=1",
    status: 200,
    v: { a: "1" },
  },
  {
    path: "/files",
    type: `MULTIPART/Form-Data; BOUNDARY=${BOUNDARY}`,
    body: MULTIPART,
    status: 200,
    v: ["f"],
  },
  {
    path: "/text",
    type: "TEXT/Plain; Charset=ISO-8859-1",
    body: Buffer.from([0xe9]),
    status: 200,
    v: "é",
  },
];

const UNKNOWN: readonly Case[] = [
  json("text/json", '{"a":1}', 415),
  json("application/jsonx", '{"a":1}', 415),
  json("application/x-www-form-urlencoded", "a=1", 415),
  json(undefined, '{"a":1}', 415),
  json("application/json; charset=latin1", '{"a":1}', 415),
  json("application/json; CHARSET=UTF-16LE", Buffer.from('{"a":1}', "utf16le"), 415),
  { path: "/form", type: "application/json", body: '{"a":1}', status: 415 },
  { path: "/form", type: "text/plain", body: "a=1", status: 415 },
  { path: "/form", type: undefined, body: "a=1", status: 415 },
  { path: "/files", type: "application/json", body: "{}", status: 415 },
  { path: "/text", type: "text/plain; charset=x-bogus", body: "x", status: 415 },
  { path: "/checked", type: "application/problem+json", body: "{}", status: 415 },
];

const MALFORMED: readonly Case[] = [
  "application/json garbage",
  "application/json, text/html",
  ";",
  "application/",
  "/json",
  "json",
].flatMap((type) => [
  json(type, '{"a":1}', 415),
  { path: "/checked", type, body: '{"a":1}', status: 415 },
  { path: "/form", type, body: "a=1", status: 415 },
]);

const BAD_BODIES: readonly Case[] = [
  json("application/json", "", 400),
  json("application/json", "  \r\n\t", 400),
  json("application/json", "{a:1}", 400),
  json("application/json", '{"a":1} trailing', 400),
  json("application/json", Buffer.from([0x22, 0xff, 0x22]), 400),
  json("application/json", Buffer.from([0x22, 0xc0, 0xaf, 0x22]), 400),
  json("application/json", Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), 400),
  { path: "/text", type: "text/plain", body: Buffer.from([0x61, 0xc3]), status: 400 },
  {
    path: "/form",
    type: "application/x-www-form-urlencoded",
    body: Buffer.from([0x61, 0x3d, 0xff]),
    status: 400,
  },
];

const GROUPS: readonly (readonly [string, readonly Case[]])[] = [
  [
    "`Application/JSON; charset=UTF-8` and other casings and parameters pick the same parser",
    PARSED_ONCE,
  ],
  ["an unknown type or charset for the reader (`text/json`, a form given JSON) is 415", UNKNOWN],
  [
    "a malformed Content-Type (`application/json garbage`, `;`, `json`) is 415 for parsers and checks alike",
    MALFORMED,
  ],
  [
    "an empty JSON body, bad JSON or invalid UTF-8 (overlong, surrogate, truncated) is 400",
    BAD_BODIES,
  ],
];

function check(c: Case, status: number, body: string): void {
  const what = `${c.path} ${JSON.stringify(c.type)} -> ${status} ${body.slice(0, 100)}`;
  assert.equal(status, c.status, what);
  if (c.v !== undefined) {
    const got = JSON.parse(body) as { v: unknown; essence?: string };
    assert.deepEqual(got.v, c.v, what);
    if (c.path === "/json") assert.equal(got.essence, c.type?.split(";")[0]?.trim().toLowerCase());
  }
}

function rawPost(c: Case, extraHeaders = ""): Buffer {
  const type = c.type === undefined ? "" : `Content-Type: ${c.type}\r\n`;
  const body = Buffer.from(c.body);
  const head =
    `POST ${c.path} HTTP/1.1\r\nHost: localhost\r\n${type}${extraHeaders}` +
    `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

const served = serveDuringFile(makeApp);

describe("content types over a raw socket", () => {
  for (const [name, cases] of GROUPS) {
    test(name, async () => {
      for (const c of cases) {
        const answer = await rawExchange(served.port, rawPost(c));
        check(c, answer.status, answer.body);
      }
    });
  }

  test("two Content-Type headers: the first one decides, for the check and the parser alike", async () => {
    const first = { path: "/checked", type: "application/json", body: "[1]", status: 200, v: [1] };
    const answer = await rawExchange(served.port, rawPost(first, "Content-Type: text/plain\r\n"));
    check(first, answer.status, answer.body);
    const other = { path: "/checked", type: "text/plain", body: "[1]", status: 415 };
    const refused = await rawExchange(
      served.port,
      rawPost(other, "Content-Type: application/json\r\n"),
    );
    check(other, refused.status, refused.body);
  });
});

for (const kind of clientKinds) {
  describe(`content types ${kind.name}`, () => {
    for (const [name, cases] of GROUPS) {
      test(name, async () => {
        const client = await kind.create(makeApp());
        try {
          for (const c of cases) {
            const headers = c.type === undefined ? {} : { "content-type": c.type };
            const res = await client.post(c.path, { body: c.body, headers });
            check(c, res.status, res.text());
          }
        } finally {
          await client.close();
        }
      });
    }
  });
}
