/**
 * What the security suites ask of a page phial wrote itself (an error page, a redirect's body):
 * its markup is phial's own, whatever the request held.
 */
import assert from "node:assert/strict";

/** The tags every phial page is built from; callers add the few their page also uses. */
export const PAGE_TAGS: readonly string[] = [
  "<!doctype>",
  "<html>",
  "<meta>",
  "<title>",
  "</title>",
  "<h1>",
  "</h1>",
  "<p>",
  "</p>",
];

/** Fails, naming the tag, when `body` holds a tag (attributes ignored) outside `allowed`. */
export function assertOnlyTags(body: string, allowed: readonly string[], what: string): void {
  const known = new Set(allowed);
  for (const tag of body.match(/<\/?[a-z!][^>]*>/gi) ?? []) {
    assert.ok(known.has(tag.replace(/\s.*>/s, ">").toLowerCase()), `${what}: markup ${tag}`);
  }
}
