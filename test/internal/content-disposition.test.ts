import assert from "node:assert/strict";
import { test } from "node:test";
import { contentDisposition } from "../../src/internal/content-disposition.ts";

test("plain ASCII names are quoted as they are", () => {
  assert.equal(contentDisposition("attachment", "report.pdf"), 'attachment; filename="report.pdf"');
  assert.equal(contentDisposition("inline", "a b.txt"), 'inline; filename="a b.txt"');
});

test("unicode gets an accent-free fallback and the exact name in filename*", () => {
  assert.equal(
    contentDisposition("attachment", "résumé.pdf"),
    "attachment; filename=\"resume.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
  );
  assert.equal(
    contentDisposition("attachment", "日本.txt"),
    "attachment; filename=\".txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt",
  );
  assert.equal(
    contentDisposition("attachment", "日本"),
    "attachment; filename=\"download\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC",
  );
});

test("quotes, backslashes, percent signs and CR/LF can never reach the header raw", () => {
  const value = contentDisposition("attachment", 'a"b\\c%d\r\nSet-Cookie: x=1\t.txt');
  assert.equal(
    value,
    'attachment; filename="a_b_c_d__Set-Cookie: x=1_.txt"; ' +
      "filename*=UTF-8''a%22b%5Cc%25d%0D%0ASet-Cookie%3A%20x%3D1%09.txt",
  );
  assert.doesNotMatch(value, /[\r\n\t]/);
  // Only the two delimiting quotes of the fallback remain.
  assert.equal(value.split('"').length, 3);
});

test("characters outside RFC 8187's attr-char are encoded; lone surrogates become U+FFFD", () => {
  assert.equal(contentDisposition("inline", "a*'();b"), 'inline; filename="a*\'();b"');
  assert.equal(
    contentDisposition("inline", "x\uD800"),
    "inline; filename=\"x\"; filename*=UTF-8''x%EF%BF%BD",
  );
});
