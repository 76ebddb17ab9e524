import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeHtml } from "../../src/internal/escape.ts";

test("escapes the five HTML-significant characters", () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&</a>`),
    "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
  );
});

test("leaves other text alone and returns the same string when nothing needs escaping", () => {
  const s = "plain text, café / ünïcode";
  assert.equal(escapeHtml(s), s);
  assert.equal(escapeHtml(""), "");
});

test("escapes already-escaped text again (no double-decoding tricks)", () => {
  assert.equal(escapeHtml("&lt;"), "&amp;lt;");
});
