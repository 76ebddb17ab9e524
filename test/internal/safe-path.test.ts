import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { BadRequest, NotFound } from "../../src/errors.ts";
import { insideRoot, safeJoin } from "../../src/internal/safe-path.ts";

const ROOT = path.resolve("/srv/static");

function status(fn: () => unknown): number | "ok" {
  try {
    fn();
    return "ok";
  } catch (err) {
    if (err instanceof BadRequest || err instanceof NotFound) return err.status;
    throw err;
  }
}

describe("safeJoin", () => {
  test("joins plain names inside the root", () => {
    assert.equal(safeJoin(ROOT, "site.css"), path.join(ROOT, "site.css"));
    assert.equal(safeJoin(ROOT, "css/a/b.css"), path.join(ROOT, "css", "a", "b.css"));
    assert.equal(safeJoin("relative/root", "x"), path.resolve("relative/root", "x"));
    // Names that only look like traversal are ordinary file names.
    assert.equal(safeJoin(ROOT, "a..b"), path.join(ROOT, "a..b"));
    assert.equal(safeJoin(ROOT, "%2e%2e/x"), path.join(ROOT, "%2e%2e", "x"));
  });

  test("NUL is 400, wherever it is", () => {
    for (const name of ["\0", "a\0.css", "css/\0", "../\0"]) {
      assert.equal(
        status(() => safeJoin(ROOT, name)),
        400,
        JSON.stringify(name),
      );
    }
  });

  test("traversal, backslashes, absolute and empty names are 404", () => {
    const refused = [
      "",
      "..",
      "../secret",
      "a/../../secret",
      "a/..",
      ".",
      "./a",
      "a/./b",
      "a//b",
      "a/",
      "/etc/passwd",
      "//etc/passwd",
      "..\\secret",
      "a\\b",
      "\\\\server\\share",
    ];
    for (const name of refused) {
      assert.equal(
        status(() => safeJoin(ROOT, name)),
        404,
        JSON.stringify(name),
      );
    }
  });

  test("dotfile segments are 404 unless allowed", () => {
    for (const name of [".env", "a/.git/config", ".well-known/x", "..."]) {
      assert.equal(
        status(() => safeJoin(ROOT, name)),
        404,
        name,
      );
      assert.equal(
        safeJoin(ROOT, name, { allowDotfiles: true }),
        path.join(ROOT, name),
        `${name} with allowDotfiles`,
      );
    }
    // ".." stays refused even when dotfiles are allowed.
    assert.equal(
      status(() => safeJoin(ROOT, "../x", { allowDotfiles: true })),
      404,
    );
  });

  test("Windows rules: drive letters, streams and trailing dots or spaces", () => {
    const win32 = { win32: true };
    for (const name of ["C:/x", "c:x", "a.txt::$DATA", ".. /x", "a./b", "a /b", "x."]) {
      assert.equal(
        status(() => safeJoin(ROOT, name, win32)),
        404,
        name,
      );
    }
    assert.equal(
      status(() => safeJoin(ROOT, "a.b/c", win32)),
      "ok",
    );
  });
});

describe("insideRoot", () => {
  test("needs the separator: a sibling with the same prefix is outside", () => {
    assert.equal(insideRoot("/srv/static", "/srv/static/a.css"), true);
    assert.equal(insideRoot("/srv/static", "/srv/static"), true);
    assert.equal(insideRoot("/srv/static", "/srv/static-secret/a.css"), false);
    assert.equal(insideRoot("/srv/static", "/srv/staticx"), false);
    assert.equal(insideRoot("/srv/static", "/srv"), false);
    assert.equal(insideRoot("/", "/etc/passwd"), true);
  });
});
