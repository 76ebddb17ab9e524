/**
 * Replays the HTTP benchmark's requests against phial's benchmark apps on a real socket and
 * checks every answer, so the figures in BENCHMARKS.md are for apps that answer correctly. The
 * peer frameworks' apps need bench/'s own dependencies; `npm run bench` runs the same checks
 * on every one of them before timing anything.
 */
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import { githubRoutes } from "../bench/lib/github-routes.ts";
import { scenarios } from "../bench/lib/scenarios.ts";
import { verifyGithubApp, verifyScenario } from "../bench/lib/verify.ts";
import { createApp } from "../bench/servers/phial-apps.ts";
import { Phial, request } from "../src/index.ts";

const styles = [
  { name: "the req argument", style: {} },
  { name: "the request context local", style: { context: { request } } },
];

for (const { name, style } of styles)
  describe(`phial's benchmark apps answer every benchmark request correctly (${name})`, async () => {
    const basic = createApp("basic", Phial, style);
    const github = createApp("github", Phial, style);
    const base = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const basicUrl = base(await basic.listen({ port: 0 }));
    const githubUrl = base(await github.listen({ port: 0 }));
    after(() => Promise.all([basic.close(), github.close()]));

    for (const s of scenarios) {
      test(`${s.name}: ${s.method} ${s.path} -> ${s.status}`, async () => {
        await verifyScenario(s.app === "basic" ? basicUrl : githubUrl, s);
      });
    }

    test(`all ${githubRoutes().length} GitHub routes answer their own route and params; a miss is 404`, async () => {
      assert.equal(githubRoutes().length, 203);
      await verifyGithubApp(githubUrl);
    });

    test("the checks fail on a wrong answer", async () => {
      const wrong = { ...scenarios[0], json: { hello: "nobody" } } as (typeof scenarios)[number];
      await assert.rejects(verifyScenario(basicUrl, wrong), /wrong body/);
      const status = { ...scenarios[0], status: 201 } as (typeof scenarios)[number];
      await assert.rejects(verifyScenario(basicUrl, status), /expected status 201/);
    });
  });
