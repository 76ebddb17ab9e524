import assert from "node:assert/strict";
import { test } from "node:test";
import { splitAbsolute } from "../../src/internal/request-target.ts";

test("an absolute-form target gives its path and host; userinfo and an empty host are not hosts", () => {
  assert.deepEqual(splitAbsolute("http://example.com:8080/a/b"), {
    path: "/a/b",
    host: "example.com:8080",
  });
  assert.deepEqual(splitAbsolute("HTTPS://example.com"), { path: "/", host: "example.com" });
  assert.deepEqual(splitAbsolute("http://user:pw@example.com/x"), {
    path: "/x",
    host: "example.com",
  });
  assert.deepEqual(splitAbsolute("http://[::1]:80/"), { path: "/", host: "[::1]:80" });
  assert.deepEqual(splitAbsolute("http:///p"), { path: "/p", host: undefined });
  for (const other of ["*", "ftp://example.com/x", "example.com/x", "http:/x"]) {
    assert.deepEqual(splitAbsolute(other), { path: other, host: undefined }, other);
  }
});
