import assert from "node:assert/strict";
import { test } from "node:test";
import {
  abort,
  BadRequest,
  ContentTooLarge,
  errorClassFor,
  HTTPError,
  InternalServerError,
  MethodNotAllowed,
  NotFound,
  PhialError,
} from "../src/errors.ts";

test("each subclass carries its status, title, stable code and a default description", () => {
  const e = new NotFound();
  assert.ok(e instanceof HTTPError && e instanceof PhialError && e instanceof Error);
  assert.equal(e.status, 404);
  assert.equal(e.code, "not_found");
  assert.equal(e.title, "Not Found");
  assert.equal(e.name, "NotFound");
  assert.ok(e.description.length > 0);
  assert.equal(new ContentTooLarge().code, "content_too_large");
  assert.equal(new BadRequest("bad id").description, "bad id");
});

test("headers and cause are kept", () => {
  const cause = new Error("db down");
  const e = new MethodNotAllowed(undefined, { headers: { Allow: "GET" }, cause });
  assert.deepEqual(e.headers, { Allow: "GET" });
  assert.equal(new InternalServerError(undefined, { cause }).cause, cause);
});

test("abort throws the subclass for the status, or a plain HTTPError", () => {
  assert.throws(
    () => abort(404, "No such user."),
    (err: unknown) => {
      assert.ok(err instanceof NotFound);
      assert.equal(err.description, "No such user.");
      return true;
    },
  );
  assert.throws(
    () => abort(499),
    (err: unknown) => {
      assert.ok(err instanceof HTTPError);
      assert.equal(err.status, 499);
      assert.equal(err.code, "http_499");
      return true;
    },
  );
  assert.equal(errorClassFor(404), NotFound);
});

test("statuses outside 4xx/5xx are refused", () => {
  assert.throws(() => new HTTPError(200), RangeError);
  assert.throws(() => abort(302), RangeError);
});
