/** rawHeader reads one header the way req.headers would give it, without building req.headers. */
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { test } from "node:test";
import { Phial } from "../../src/index.ts";
import { rawHeader } from "../../src/internal/raw-headers.ts";

const fake = (rawHeaders: string[]) => ({ rawHeaders }) as unknown as IncomingMessage;

test("names match whatever their case; repeated lines join with a comma", () => {
  const raw = fake(["Host", "x", "ACCEPT", "text/html", "accept", "application/json"]);
  assert.equal(rawHeader(raw, "accept"), "text/html, application/json");
  assert.equal(rawHeader(raw, "host"), "x");
  assert.equal(rawHeader(raw, "content-length"), undefined);
  assert.equal(rawHeader(fake(["Accept"]), "accept"), undefined);
});

test("the fast 404 reads Accept from every header line, as the full lifecycle does", async () => {
  const app = new Phial();
  app.get("/", () => "home");
  const client = app.testClient();
  const res = await client.get("/missing", { headers: { Accept: "application/json" } });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.equal((res.json() as { error: { code: string } }).error.code, "not_found");
  const html = await client.get("/missing", { headers: { Accept: "text/html" } });
  assert.match(html.headers.get("content-type") ?? "", /^text\/html/);
});
