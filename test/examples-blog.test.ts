/**
 * examples/blog driven as a user would: in headless Chromium (Debian's `chromium`, driven by
 * playwright-core; .ci/run installs it) against the app on a real port with a fresh SQLite file.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, chromium } from "playwright-core";
import { createApp } from "../examples/blog/app.ts";
import type { Phial } from "../src/index.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = join(import.meta.dirname, "..", "test-results", "blog-index.png");

describe("examples/blog", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "phial-blog-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("auth and posts through the test client: errors, login required, authors only", async () => {
    const app = createApp({ database: join(dir, "client.sqlite"), config: { testing: true } });
    const client = app.testClient();
    const register = (username: string, password: string) =>
      client.post("/auth/register", { form: { username, password } });
    const created = await register("ada", "lovelace");
    assert.equal(created.status, 302);
    assert.equal(created.headers.get("location"), "/auth/login");
    assert.match(await (await register("ada", "again")).text(), /User ada is already registered\./);
    assert.match(await (await register("", "x")).text(), /Username is required\./);

    const anonymous = await client.get("/create");
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.headers.get("location"), "/auth/login?next=%2Fcreate");
    const back = await client.post("/auth/login?next=%2Fcreate", {
      form: { username: "ada", password: "lovelace" },
    });
    assert.equal(back.headers.get("location"), "/create", "login returns to the page asked for");
    for (const next of ["//evil.example", "https://evil.example", "/%5Cevil.example"]) {
      const elsewhere = await client.post(`/auth/login?next=${encodeURIComponent(next)}`, {
        form: { username: "ada", password: "lovelace" },
      });
      assert.equal(elsewhere.headers.get("location"), "/", `next=${next} is not followed`);
    }
    await client.post("/auth/logout");

    const wrong = await client.post("/auth/login", { form: { username: "ada", password: "nope" } });
    assert.match(await wrong.text(), /Incorrect username or password\./);
    const login = await client.post("/auth/login", {
      form: { username: "ada", password: "lovelace" },
    });
    assert.equal(login.status, 302);
    await client.post("/create", { form: { title: "<script>x</script>", body: "hello" } });
    const index = await (await client.get("/")).text();
    assert.match(index, /&lt;script&gt;x&lt;\/script&gt;/);
    assert.doesNotMatch(index, /<script>x/);
    assert.match(
      await (await client.post("/create", { form: { title: " " } })).text(),
      /Title is required\./,
    );

    await client.post("/auth/logout");
    await register("bob", "builder");
    await client.post("/auth/login", { form: { username: "bob", password: "builder" } });
    assert.equal((await client.get("/1/update")).status, 403);
    assert.equal((await client.post("/1/delete")).status, 403);
    assert.equal((await client.get("/99/update")).status, 404);
  });

  test("register, log in, write, see, edit and log out in Chromium", async (t) => {
    const database = join(dir, "browser", "blog.sqlite");
    const app: Phial = createApp({ database, config: { testing: true } });
    assert.ok(existsSync(database), "the database file is created on first run");
    await app.listen({ port: 0 });
    const base = `http://127.0.0.1:${app.address()?.port}`;
    t.after(() => app.close());
    assert.ok(
      existsSync(CHROMIUM),
      `Chromium is needed at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).`,
    );
    const browser: Browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    t.after(() => browser.close());
    const page = await browser.newPage();

    await page.goto(`${base}/`);
    assert.match((await page.textContent("body")) ?? "", /No posts yet\./);
    await page.click("text=Register");
    await page.fill("#username", "grace");
    await page.fill("#password", "hopper");
    await page.click('input[type="submit"]');
    await page.waitForURL(`${base}/auth/login`);
    assert.match((await page.textContent(".flash")) ?? "", /Registered/);

    // Asking for a page that needs a login goes through the login form and back to that page.
    await page.goto(`${base}/create`);
    await page.waitForURL(`${base}/auth/login?next=%2Fcreate`);
    await page.fill("#username", "grace");
    await page.fill("#password", "hopper");
    await page.click('input[type="submit"]');
    await page.waitForURL(`${base}/create`);
    assert.equal(await page.textContent("nav span"), "grace");

    await page.fill("#title", "Hello from Chromium");
    await page.fill("#body", "Written by a real browser.");
    await page.click('input[type="submit"]');
    await page.waitForURL(`${base}/`);
    assert.equal(await page.textContent("article h1"), "Hello from Chromium");
    // The stylesheet from static/ really applies.
    assert.equal(
      await page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily"),
      "Georgia, serif",
    );
    await mkdir(join(SCREENSHOT, ".."), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.deepEqual([...readFileSync(SCREENSHOT).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

    await page.click(`a[href$="/update"]`);
    await page.fill("#title", "Edited in Chromium");
    await page.click('input[value="Save"]');
    await page.waitForURL(`${base}/`);
    assert.equal(await page.textContent("article h1"), "Edited in Chromium");

    await page.click("text=Log Out");
    await page.waitForSelector("text=Log In");
    assert.equal(await page.$(`a[href$="/update"]`), null, "no Edit link once logged out");
    assert.equal(await page.textContent("article h1"), "Edited in Chromium");
  });
});
