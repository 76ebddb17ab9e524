/**
 * Security rule 6: keys from the query string, urlencoded and multipart forms, JSON, cookies and
 * path params never reach `Object.prototype`. `__proto__`, `constructor` and `prototype` are
 * plain data where the API holds keys (Map-backed multi-dicts, null-prototype records), and JSON
 * that spells them into a prototype chain is refused with 400. Parameter counts are capped, and
 * an input over the cap is refused before it is parsed.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { Phial } from "../../src/index.ts";
import { clientKinds } from "../helpers/clients.ts";
import { silentLogger } from "../helpers/logger.ts";
import { multipartBody } from "../helpers/multipart.ts";
import { rawExchange, rawGet } from "../helpers/raw-http.ts";
import { serveDuringFile } from "../helpers/serve.ts";

const OBJECT_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

/** Nothing was added to `Object.prototype` (or reached through an array). */
function assertClean(what: string): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined, `${what}: {}.polluted`);
  assert.equal(
    ([] as unknown as Record<string, unknown>).polluted,
    undefined,
    `${what}: [].polluted`,
  );
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), OBJECT_KEYS, what);
}

/** What a record looks like from a handler: own keys, its prototype chain, a few lookups. */
function describeRecord(record: Record<string, unknown>): unknown {
  return {
    own: Object.keys(record).sort(),
    inheritsObject: record instanceof Object,
    proto: Object.getOwnPropertyDescriptor(record, "__proto__")?.value ?? null,
    constructor: Object.getOwnPropertyDescriptor(record, "constructor")?.value ?? null,
  };
}

function makeApp(config: Record<string, unknown> = {}): Phial {
  const app = new Phial({ staticFolder: null, logger: silentLogger(), config });
  app.get("/query", (req) => ({
    proto: req.query.get("__proto__"),
    ctor: req.query.get("constructor"),
    prototype: req.query.get("prototype"),
    bracket: req.query.get("__proto__[polluted]"),
    inherited: req.query.has("valueOf") || req.query.has("hasOwnProperty"),
    record: describeRecord(req.query.toObject()),
  }));
  app.get("/count", (req) => ({ keys: req.query.size }));
  app.post("/form", async (req) => {
    const form = await req.form();
    return {
      proto: form.getAll("__proto__"),
      ctor: form.get("constructor"),
      bracket: form.get("__proto__[polluted]"),
      record: describeRecord(form.toObject()),
    };
  });
  app.post("/files", async (req) => {
    const files = await req.files();
    return { fields: [...files.keys()], names: [...files.entries()].map(([, f]) => f.filename) };
  });
  app.post("/json", async (req) => ({ v: await req.json() }));
  app.get("/cookies", (req) => ({ record: describeRecord(req.cookies), all: { ...req.cookies } }));
  app.get("/p/<name>", (req) => ({ name: req.params.name, own: Object.keys(req.params) }));
  return app;
}

const HOSTILE_PAIRS =
  "__proto__[polluted]=1&__proto__.polluted=1&__proto__=x&constructor[prototype][polluted]=1" +
  "&constructor=c&prototype=p&a[__proto__][polluted]=1";

const EXPECTED_RECORD = {
  own: [
    "__proto__",
    "__proto__.polluted",
    "__proto__[polluted]",
    "a[__proto__][polluted]",
    "constructor",
    "constructor[prototype][polluted]",
    "prototype",
  ],
  inheritsObject: false,
  proto: "x",
  constructor: "c",
};

const JSON_REFUSED: readonly string[] = [
  '{"__proto__":{"polluted":1}}',
  '{"a":{"b":[{"__proto__":{"polluted":1}}]}}',
  '{"\\u005f_proto__":{"polluted":1}}',
  '{"\\u005F\\u005Fproto\\u005F\\u005F":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '[{"x":{"constructor":{"prototype":{"polluted":1}}}}]',
  `${'{"a":'.repeat(1000)}{"__proto__":{"polluted":1}}${"}".repeat(1000)}`,
];

const JSON_ACCEPTED: readonly [string, unknown][] = [
  [
    '{"constructor":"c","prototype":{"polluted":1}}',
    { constructor: "c", prototype: { polluted: 1 } },
  ],
  ['{"constructor":{"name":"x"}}', { constructor: { name: "x" } }],
  ['{"proto":1,"__proto":2,"_proto__":3}', { proto: 1, __proto: 2, _proto__: 3 }],
];

const MULTIPART = multipartBody([
  { name: "__proto__", value: "x" },
  { name: "__proto__", value: "y" },
  { name: "constructor", value: "c" },
  { name: "__proto__[polluted]", value: "1" },
  { name: "__proto__", value: "file", filename: "__proto__" },
  { name: "constructor", value: "file", filename: "constructor" },
]);

/** Every source with its hostile keys, sent through one client. */
async function sendEverything(
  get: (
    path: string,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; text: string }>,
  post: (
    path: string,
    body: string | Buffer,
    type: string,
  ) => Promise<{ status: number; text: string }>,
): Promise<void> {
  const query = await get(`/query?${HOSTILE_PAIRS}`);
  assertClean("query");
  assert.equal(query.status, 200);
  assert.deepEqual(JSON.parse(query.text), {
    proto: "x",
    ctor: "c",
    prototype: "p",
    bracket: "1",
    inherited: false,
    record: EXPECTED_RECORD,
  });

  const form = await post("/form", HOSTILE_PAIRS, "application/x-www-form-urlencoded");
  assertClean("urlencoded form");
  assert.deepEqual(JSON.parse(form.text), {
    proto: ["x"],
    ctor: "c",
    bracket: "1",
    record: EXPECTED_RECORD,
  });

  const fields = await post("/form", MULTIPART.body, MULTIPART.headers["content-type"]);
  assertClean("multipart fields");
  const parsed = JSON.parse(fields.text) as { proto: string[]; ctor: string };
  assert.deepEqual([parsed.proto, parsed.ctor], [["x", "y"], "c"]);
  const files = await post("/files", MULTIPART.body, MULTIPART.headers["content-type"]);
  assertClean("multipart files");
  assert.deepEqual(JSON.parse(files.text), {
    fields: ["__proto__", "constructor"],
    names: ["__proto__", "constructor"],
  });

  for (const body of JSON_REFUSED) {
    const res = await post("/json", body, "application/json");
    assertClean(`json ${body.slice(0, 60)}`);
    assert.equal(res.status, 400, body.slice(0, 60));
  }
  for (const [body, value] of JSON_ACCEPTED) {
    const res = await post("/json", body, "application/json");
    assertClean(`json ${body}`);
    assert.deepEqual(JSON.parse(res.text), { v: value }, body);
  }

  const cookies = await get("/cookies", {
    cookie: "__proto__=polluted; constructor=c; prototype=p; toString=t",
  });
  assertClean("cookies");
  assert.deepEqual(JSON.parse(cookies.text), {
    record: {
      own: ["__proto__", "constructor", "prototype", "toString"],
      inheritsObject: false,
      proto: "polluted",
      constructor: "c",
    },
    // A computed key is an own property; a literal `__proto__:` would set the prototype.
    all: { ["__proto__"]: "polluted", constructor: "c", prototype: "p", toString: "t" },
  });

  for (const name of ["__proto__", "constructor", "prototype"]) {
    const res = await get(`/p/${name}`);
    assertClean(`path param ${name}`);
    assert.deepEqual(JSON.parse(res.text), { name, own: ["name"] });
  }
}

const served = serveDuringFile(makeApp);

describe("__proto__, constructor and prototype keys", () => {
  test("from query, urlencoded and multipart forms, JSON, cookies and path params, over a raw socket: Object.prototype untouched, values readable as data", async () => {
    await sendEverything(
      async (path, headers = {}) => {
        const extra = Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join("");
        const answer = await rawExchange(served.port, rawGet(path, extra));
        return { status: answer.status, text: answer.body };
      },
      async (path, body, type) => {
        const bytes = Buffer.from(body);
        const head =
          `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${type}\r\n` +
          `Content-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`;
        const answer = await rawExchange(served.port, Buffer.concat([Buffer.from(head), bytes]));
        return { status: answer.status, text: answer.body };
      },
    );
  });

  for (const kind of clientKinds) {
    test(`the same keys ${kind.name}: Object.prototype untouched, values readable as data`, async () => {
      const client = await kind.create(makeApp());
      try {
        await sendEverything(
          async (path, headers) => {
            const res = await client.get(path, { headers });
            return { status: res.status, text: res.text() };
          },
          async (path, body, type) => {
            const res = await client.post(path, { body, headers: { "content-type": type } });
            return { status: res.status, text: res.text() };
          },
        );
      } finally {
        await client.close();
      }
    });
  }
});

describe("parameter count caps", () => {
  /** A server that accepts a 1 MiB request line, so the query cap, not Node's, is what answers. */
  async function bigHeaderServer(
    target: Phial,
  ): Promise<{ port: number; close: () => Promise<void> }> {
    const server = http.createServer({ maxHeaderSize: 1024 * 1024 }, target.handler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  const MANY = 100_000;
  const manyPairs = Array.from({ length: MANY }, (_, i) => `k${i}=v`).join("&");

  test("100k query parameters are 400 within 1 s (maxQueryParams, default 1000), before any parsing", async () => {
    const server = await bigHeaderServer(makeApp());
    const Original = globalThis.URLSearchParams;
    let parsed = 0;
    globalThis.URLSearchParams = new Proxy(Original, {
      construct(target, args, newTarget) {
        parsed++;
        return Reflect.construct(target, args, newTarget) as object;
      },
    });
    try {
      const start = performance.now();
      const answer = await rawExchange(server.port, rawGet(`/count?${manyPairs}`));
      const ms = performance.now() - start;
      assert.equal(answer.status, 400);
      assert.match(answer.body, /More than 1000 query parameters/);
      assert.ok(ms < 1000, `answered in ${ms.toFixed(0)} ms`);
      assert.equal(parsed, 0, "the query was handed to a parser");
    } finally {
      globalThis.URLSearchParams = Original;
      await server.close();
    }
  });

  test("the cap is configurable: maxQueryParams 100000 reads all 100k within 1 s", async () => {
    const server = await bigHeaderServer(makeApp({ maxQueryParams: MANY }));
    try {
      const start = performance.now();
      const answer = await rawExchange(server.port, rawGet(`/count?${manyPairs}`));
      const ms = performance.now() - start;
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.body), { keys: MANY });
      assert.ok(ms < 1000, `answered in ${ms.toFixed(0)} ms`);
    } finally {
      await server.close();
    }
  });

  test("100k urlencoded form fields are 413 within 1 s (maxFormParts, default 1000)", async () => {
    const body = Buffer.from(manyPairs);
    const head =
      "POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const start = performance.now();
    const answer = await rawExchange(served.port, Buffer.concat([Buffer.from(head), body]));
    assert.equal(answer.status, 413);
    assert.ok(performance.now() - start < 1000);
  });

  for (const kind of clientKinds) {
    test(`1001 query parameters are 400 and 1001 form fields 413 ${kind.name}; 1000 of each are read`, async () => {
      const client = await kind.create(makeApp());
      const pairs = (n: number) => Array.from({ length: n }, (_, i) => `${i}=`).join("&");
      try {
        assert.equal((await client.get(`/count?${pairs(1001)}`)).status, 400);
        assert.deepEqual((await client.get(`/count?${pairs(1000)}`)).json(), { keys: 1000 });
        const form = { "content-type": "application/x-www-form-urlencoded" };
        assert.equal(
          (await client.post("/form", { body: pairs(1001), headers: form })).status,
          413,
        );
        assert.equal(
          (await client.post("/form", { body: pairs(1000), headers: form })).status,
          200,
        );
      } finally {
        await client.close();
      }
    });
  }
});
