import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, test } from "node:test";
import { app as hello } from "../examples/hello.ts";
import { createApp } from "../examples/todo-api.ts";

describe("examples/hello.ts", () => {
  test("answers / and /hello/<name>", async () => {
    const client = hello.testClient();
    assert.match(await (await client.get("/")).text(), /Hello, phial!/);
    assert.deepEqual(await (await client.get("/hello/Ada")).json(), { greeting: "Hello, Ada!" });
  });

  test("npm start's script serves it on a real port", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "examples/hello.ts"], {
      env: { ...process.env, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const m = out.match(/http:\/\/[\d.]+:\d+/);
          if (m) resolve(m[0]);
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const res = await fetch(`${url}/`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /Hello, phial!/);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describe("examples/todo-api.ts", () => {
  test("create, read, update, list, delete, with JSON errors", async () => {
    const client = createApp().testClient();
    const created = await client.post("/todos", { json: { title: "write docs" } });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("location"), "/todos/1");
    assert.deepEqual(await created.json(), { id: 1, title: "write docs", done: false });
    assert.match(created.headers.get("server-timing") ?? "", /^app;dur=/);

    const patched = await client.patch("/todos/1", { json: { done: true } });
    assert.deepEqual(await patched.json(), { id: 1, title: "write docs", done: true });
    assert.deepEqual(await (await client.get("/todos/1")).json(), {
      id: 1,
      title: "write docs",
      done: true,
    });
    await client.post("/todos", { json: { title: "second" } });
    assert.equal(((await (await client.get("/todos")).json()) as unknown[]).length, 2);
    assert.equal(
      ((await (await client.get("/todos", { query: { done: "false" } })).json()) as unknown[])
        .length,
      1,
    );

    const invalid = await client.post("/todos", { json: { title: "" } });
    assert.equal(invalid.status, 422);
    assert.deepEqual(await invalid.json(), {
      error: {
        status: 422,
        code: "unprocessable_content",
        message: '"title" must be a non-empty string.',
      },
    });
    const missing = await client.get("/todos/99");
    assert.equal(missing.status, 404);
    assert.equal(
      ((await missing.json()) as { error: { message: string } }).error.message,
      "There is no todo 99.",
    );
    assert.equal((await client.get("/todos/0")).status, 404, "int(min=1) refuses 0");
    assert.equal((await client.get("/todos/abc")).status, 404);
    const wrongMethod = await client.put("/todos/1", { json: {} });
    assert.equal(wrongMethod.status, 405);
    assert.match(wrongMethod.headers.get("allow") ?? "", /PATCH/);

    const deleted = await client.delete("/todos/1");
    assert.equal(deleted.status, 204);
    assert.equal((await client.get("/todos/1")).status, 404);
  });
});
