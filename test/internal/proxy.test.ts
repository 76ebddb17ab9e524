import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compileTrust, hostAllowed } from "../../src/internal/proxy.ts";

describe("compileTrust", () => {
  test("false trusts nobody, true everybody, a number that many hops", () => {
    assert.equal(compileTrust(false)("127.0.0.1", 0), false);
    assert.equal(compileTrust(true)("203.0.113.9", 7), true);
    const two = compileTrust(2);
    assert.deepEqual(
      [0, 1, 2].map((hop) => two("x", hop)),
      [true, true, false],
    );
  });

  test("addresses and CIDR ranges, IPv4 and IPv6, as a list or a comma string", () => {
    const trust = compileTrust(["10.0.0.0/8", "127.0.0.1", "fd00::/8"]);
    assert.equal(trust("10.255.0.1", 0), true);
    assert.equal(trust("11.0.0.1", 0), false);
    assert.equal(trust("127.0.0.1", 0), true);
    assert.equal(trust("::ffff:127.0.0.1", 0), true, "an IPv4 peer on a dual-stack socket");
    assert.equal(trust("fd12::1", 0), true);
    assert.equal(trust("2001:db8::1", 0), false);
    assert.equal(trust("not an address", 0), false);
    assert.equal(compileTrust("192.168.0.0/16, 127.0.0.1")("192.168.4.4", 0), true);
  });
});

describe("hostAllowed", () => {
  test("exact names, any port, any case of the host; a leading dot takes subdomains", () => {
    const allowed = ["example.com", ".api.example.org", "[::1]"];
    assert.equal(hostAllowed("example.com", allowed), true);
    assert.equal(hostAllowed("EXAMPLE.com:8080", allowed), true);
    assert.equal(hostAllowed("www.example.com", allowed), false);
    assert.equal(hostAllowed("api.example.org", allowed), true);
    assert.equal(hostAllowed("v1.api.example.org", allowed), true);
    assert.equal(hostAllowed("evilapi.example.org", allowed), false);
    assert.equal(hostAllowed("[::1]:5000", allowed), true);
    assert.equal(hostAllowed("", allowed), false);
    assert.equal(hostAllowed("example.com.evil.net", allowed), false);
  });
});
