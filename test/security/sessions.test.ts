/**
 * Security rule 9 over a real socket: session cookies that were tampered with, signed with
 * another key, expired, malformed or huge all open an empty session and the request is answered
 * 200, never 500. Requests go through `http.request` to a real `app.listen()`.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { Phial } from "../../src/index.ts";
import { silentLogger } from "../helpers/logger.ts";
import { nowSeconds, signBody, signSession } from "../helpers/session-cookie.ts";

const KEY = "socket-test-secret-key-42";
const logger = silentLogger();
let app: Phial;
let port = 0;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

before(async () => {
  app = new Phial({
    staticFolder: null,
    logger,
    config: { secretKey: KEY, permanentSessionLifetime: 600 },
  });
  app.get("/login", (req) => {
    req.session.set("user", "ada");
    req.session.set("roles", ["admin"]);
    return "ok";
  });
  app.get("/whoami", (req) => ({ user: req.session.get("user") ?? null, size: req.session.size }));
  await app.listen({ port: 0 });
  port = app.address()?.port ?? 0;
});

after(async () => {
  agent.destroy();
  await app.close({ timeout: 100 });
});

interface Answer {
  status: number;
  body: string;
  setCookie: string[];
}

function send(path: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = cookie === undefined ? {} : { Cookie: cookie };
    const req = http.request({ host: "127.0.0.1", port, path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          setCookie: res.headers["set-cookie"] ?? [],
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function whoami(value: string): Promise<{ user: unknown; size: number }> {
  const res = await send("/whoami", `session=${value}`);
  assert.equal(res.status, 200, `cookie ${JSON.stringify(value.slice(0, 80))}`);
  return JSON.parse(res.body) as { user: unknown; size: number };
}

async function assertEmpty(value: string, what: string): Promise<void> {
  assert.deepEqual(await whoami(value), { user: null, size: 0 }, what);
}

describe("session cookies over a real socket", () => {
  let valid = "";

  before(async () => {
    const res = await send("/login");
    const line = res.setCookie.find((l) => l.startsWith("session=")) ?? "";
    valid = line.slice("session=".length, line.indexOf(";"));
    assert.ok(valid.length > 40);
  });

  it("accepts the cookie it signed", async () => {
    assert.deepEqual(await whoami(valid), { user: "ada", size: 2 });
  });

  it("rejects every single-byte change, deletion and insertion", async () => {
    const alphabet = ["A", "b", "0", "-", "_", ".", "%"];
    for (let i = 0; i < valid.length; i++) {
      const original = valid.charAt(i);
      const replacement = alphabet.find((c) => c !== original) ?? "A";
      await assertEmpty(valid.slice(0, i) + replacement + valid.slice(i + 1), `byte ${i} changed`);
      await assertEmpty(valid.slice(0, i) + valid.slice(i + 1), `byte ${i} removed`);
    }
    await assertEmpty(`${valid}A`, "byte appended");
    await assertEmpty(`A${valid}`, "byte prepended");
  });

  it("rejects a cookie signed with another key, or with no key", async () => {
    const payload = { iat: nowSeconds(), permanent: false, data: { user: "mallory" } };
    await assertEmpty(signSession(payload, "another-key"), "wrong key");
    await assertEmpty(signSession(payload, ""), "empty key");
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    await assertEmpty(`${body}.`, "no signature");
    await assertEmpty(body, "no dot");
  });

  it("rejects expired and future-dated cookies, permanent or not", async () => {
    for (const permanent of [true, false]) {
      const stale = { iat: nowSeconds() - 601, permanent, data: { user: "ada" } };
      await assertEmpty(signSession(stale, KEY), `expired, permanent=${permanent}`);
    }
    const future = { iat: nowSeconds() + 86_400, permanent: true, data: { user: "ada" } };
    await assertEmpty(signSession(future, KEY), "issued tomorrow");
  });

  it("rejects well-signed payloads of the wrong shape", async () => {
    const iat = nowSeconds();
    const shapes: string[] = [
      "not json",
      "",
      "null",
      "[]",
      '"text"',
      "42",
      JSON.stringify({ iat, permanent: false }),
      JSON.stringify({ iat, permanent: false, data: null }),
      JSON.stringify({ iat, permanent: false, data: ["user", "ada"] }),
      JSON.stringify({ iat, permanent: false, data: "ada" }),
      JSON.stringify({ iat, permanent: "yes", data: { user: "ada" } }),
      JSON.stringify({ iat: String(iat), permanent: false, data: { user: "ada" } }),
      JSON.stringify({ iat: iat + 0.5, permanent: false, data: { user: "ada" } }),
      JSON.stringify({ iat: 1e300, permanent: false, data: { user: "ada" } }),
    ];
    for (const json of shapes) await assertEmpty(signSession(json, KEY), json);
    // Bytes that are not UTF-8, and a body outside the base64url alphabet, both signed.
    const binary = Buffer.from([0xff, 0xfe, 0x7b]).toString("base64url");
    await assertEmpty(`${binary}.${signBody(binary, KEY)}`, "invalid UTF-8");
    const foreign = "eyJ+aWF0Ijo/";
    await assertEmpty(`${foreign}.${signBody(foreign, KEY)}`, "base64 outside base64url");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("reads __proto__ keys of a signed payload as data, never as a prototype", async () => {
    // Only the app can sign a payload, and it may have stored such keys itself (a session
    // round-trips whatever JSON it was given), so they come back as plain own keys.
    const iat = nowSeconds();
    const cases: [string, { user: unknown; size: number }][] = [
      [
        `{"iat":${iat},"permanent":false,"data":{"__proto__":{"polluted":true},"user":"ada"}}`,
        { user: "ada", size: 2 },
      ],
      [
        `{"iat":${iat},"permanent":false,"data":{"user":{"deep":{"__proto__":{"polluted":true}}}}}`,
        { user: JSON.parse('{"deep":{"__proto__":{"polluted":true}}}'), size: 1 },
      ],
      [
        `{"__proto__":{"polluted":true},"iat":${iat},"permanent":false,"data":{"user":"ada"}}`,
        { user: "ada", size: 1 },
      ],
    ];
    for (const [json, expected] of cases) {
      assert.deepEqual(await whoami(signSession(json, KEY)), expected, json);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("rejects malformed cookies that are not signed at all", async () => {
    const junk = ["", ".", "..", "a.b.c", "%ZZ", "%00", '"quoted"', "=", "a".repeat(100), "._-"];
    for (const value of junk) await assertEmpty(value, value);
    const many = await send("/whoami", `session=a; session=${valid}; other=1`);
    assert.equal(many.status, 200);
  });

  it("answers a huge cookie with an empty session, never a 500", async () => {
    const huge = `${"A".repeat(12_000)}.${"B".repeat(43)}`;
    await assertEmpty(huge, "12 kB cookie");
    const signedHuge = signSession(
      { iat: nowSeconds(), permanent: false, data: { user: "x".repeat(9000) } },
      "wrong",
    );
    await assertEmpty(signedHuge, "12 kB cookie with a wrong signature");
    assert.deepEqual(logger.errors, [], "nothing was logged as an error");
  });
});
