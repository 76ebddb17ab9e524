import assert from "node:assert/strict";
import { test } from "node:test";
import type { RuleLike } from "../../src/cli/app-like.ts";
import { formatRoutes } from "../../src/cli/routes.ts";

const rules: RuleLike[] = [
  { rule: "/b", endpoint: "beta", methods: ["POST"], blueprint: null },
  { rule: "/a", endpoint: "alpha", methods: ["GET", "HEAD"], blueprint: null },
  { rule: "/api/x", endpoint: "api.x", methods: ["OPTIONS"], blueprint: "api" },
];

test("HEAD and OPTIONS registered explicitly are still hidden by default, as in Flask", () => {
  assert.equal(
    formatRoutes(rules),
    [
      "Endpoint  Methods  Rule",
      "--------  -------  ------",
      "alpha     GET      /a",
      "api.x              /api/x",
      "beta      POST     /b",
      "",
    ].join("\n"),
  );
});

test("--all-methods never lists a method twice", () => {
  const json = JSON.parse(formatRoutes(rules, { allMethods: true, json: true, sort: "match" }));
  assert.deepEqual(
    json.map((r: { methods: string[] }) => r.methods),
    [["OPTIONS", "POST"], ["GET", "HEAD", "OPTIONS"], ["OPTIONS"]],
  );
  assert.equal(json[2].blueprint, "api");
});

test("no routes: a sentence for people, an empty array for --json", () => {
  assert.equal(formatRoutes([]), "No routes were registered.\n");
  assert.equal(formatRoutes([], { json: true }), "[]\n");
});
