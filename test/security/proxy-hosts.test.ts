/**
 * Security rule 10 over a raw socket: X-Forwarded-* are ignored unless trustProxy names the
 * proxy, the right-most untrusted hop is the client, and trustedHosts answers other hosts 400.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Phial, type PhialOptions } from "../../src/index.ts";
import { rawExchange } from "../helpers/raw-http.ts";

/** Sends `head` (request line and headers, CRLF-separated) and returns the whole answer. */
async function send(port: number, head: string): Promise<string> {
  return (await rawExchange(port, `${head}\r\nConnection: close\r\n\r\n`)).text;
}

async function serve(config: PhialOptions["config"], host?: string): Promise<number> {
  const app = new Phial({ config, staticFolder: null });
  app.get("/who", (req) => ({ ip: req.ip, host: req.host, protocol: req.protocol, url: req.url }));
  await app.listen({ port: 0, host });
  after(() => app.close());
  return app.address()?.port ?? 0;
}

function body(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
}

const SPOOF =
  "GET /who HTTP/1.1\r\nHost: app.example\r\nX-Forwarded-For: 6.6.6.6, 203.0.113.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example";

describe("trustProxy", () => {
  test("by default the forwarded headers are ignored: a client cannot claim another address", async () => {
    const port = await serve({});
    assert.deepEqual(body(await send(port, SPOOF)), {
      ip: "127.0.0.1",
      host: "app.example",
      protocol: "http",
      url: "http://app.example/who",
    });
  });

  test("a trusted proxy (here the loopback peer) passes on the client, scheme and host", async () => {
    const port = await serve({ trustProxy: ["127.0.0.1"] });
    assert.deepEqual(body(await send(port, SPOOF)), {
      ip: "203.0.113.7",
      host: "evil.example",
      protocol: "https",
      url: "https://evil.example/who",
    });
  });

  test("the walk stops at the right-most untrusted hop, so spoofed entries to its left are ignored", async () => {
    const port = await serve({ trustProxy: ["127.0.0.1", "10.0.0.0/8"] });
    const head = "GET /who HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6, 198.51.100.4, 10.1.1.1";
    assert.equal((body(await send(port, head)) as { ip: string }).ip, "198.51.100.4");
    // A hop count trusts the socket's peer and then that many hops minus one from the right.
    const one = await serve({ trustProxy: 1 });
    assert.equal((body(await send(one, head)) as { ip: string }).ip, "10.1.1.1");
    const two = await serve({ trustProxy: 2 });
    assert.equal((body(await send(two, head)) as { ip: string }).ip, "198.51.100.4");
  });

  test("a function decides per address and hop", async () => {
    const seen: [string, number][] = [];
    const port = await serve({
      trustProxy: (address: string, hop: number) => {
        seen.push([address, hop]);
        return address === "127.0.0.1" || address.startsWith("10.");
      },
    });
    const head = "GET /who HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6, 198.51.100.4, 10.1.1.1";
    assert.equal((body(await send(port, head)) as { ip: string }).ip, "198.51.100.4");
    assert.deepEqual(seen, [
      ["127.0.0.1", 0],
      ["10.1.1.1", 1],
      ["198.51.100.4", 2],
    ]);
  });

  test("a function sees an IPv4 peer of a dual-stack socket as IPv4, as lists do", async () => {
    const seen: string[] = [];
    // Listening on "::" takes IPv4 connections too; Node reports their peer as ::ffff:127.0.0.1.
    const port = await serve(
      {
        trustProxy: (address: string) => {
          seen.push(address);
          return address === "127.0.0.1";
        },
      },
      "::",
    );
    const head = "GET /who HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 198.51.100.4";
    assert.equal((body(await send(port, head)) as { ip: string }).ip, "198.51.100.4");
    assert.deepEqual(seen, ["127.0.0.1", "198.51.100.4"]);
  });

  test("a proto other than http or https is ignored", async () => {
    const port = await serve({ trustProxy: true });
    const head = "GET /who HTTP/1.1\r\nHost: a\r\nX-Forwarded-Proto: javascript";
    assert.equal((body(await send(port, head)) as { protocol: string }).protocol, "http");
  });
});

describe("trustedHosts", () => {
  test("other hosts get 400 before any handler runs; listed ones and subdomains pass, in any case", async () => {
    const port = await serve({ trustedHosts: ["App.Example", ".example.ORG"] });
    const ok = await send(port, "GET /who HTTP/1.1\r\nHost: app.EXAMPLE:8080");
    assert.match(ok, /^HTTP\/1\.1 200 /);
    assert.match(
      await send(port, "GET /who HTTP/1.1\r\nHost: www.example.org"),
      /^HTTP\/1\.1 200 /,
    );
    for (const host of ["evil.example", "app.example.evil.net", "example.org.evil"]) {
      const answer = await send(port, `GET /who HTTP/1.1\r\nHost: ${host}`);
      assert.match(answer, /^HTTP\/1\.1 400 /, host);
      assert.doesNotMatch(answer, /evil/, "the page does not echo the host");
    }
  });

  test("an absolute-form target's host is the one checked and reported, not the Host header", async () => {
    // RFC 9112 3.2.2: a proxy in front routes by the target's host, so the app must judge that one.
    const port = await serve({ trustedHosts: ["app.example"] });
    for (const target of ["http://evil.example/who", "http://app.example@evil.example/who"]) {
      const answer = await send(port, `GET ${target} HTTP/1.1\r\nHost: app.example`);
      assert.match(answer, /^HTTP\/1\.1 400 /, target);
    }
    const ok = await send(
      port,
      "GET HTTP://app.example:8080/who?x=1 HTTP/1.1\r\nHost: evil.example",
    );
    assert.match(ok, /^HTTP\/1\.1 200 /);
    assert.deepEqual(body(ok), {
      ip: "127.0.0.1",
      host: "app.example:8080",
      protocol: "http",
      url: "http://app.example:8080/who?x=1",
    });
  });

  test("with a trusted proxy, the forwarded host is the one checked", async () => {
    const port = await serve({ trustedHosts: ["app.example"], trustProxy: ["127.0.0.1"] });
    const spoofed = "GET /who HTTP/1.1\r\nHost: app.example\r\nX-Forwarded-Host: evil.example";
    assert.match(await send(port, spoofed), /^HTTP\/1\.1 400 /);
  });
});
