import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isIgnored, watchTree } from "../../src/cli/watch.ts";

test("isIgnored skips dotfiles, node_modules, dist and backups", () => {
  for (const name of [".git", ".env", "node_modules", "dist", "app.ts~"])
    assert.ok(isIgnored(name));
  for (const name of ["app.ts", "src", "distance.ts"]) assert.ok(!isIgnored(name));
});

/**
 * Watches `dir` and records every path reported; `until` waits (10 s at most) for a condition
 * on what was seen, waking on each report.
 */
function watchRecording(dir: string) {
  const seen: string[] = [];
  let wake: (() => void) | undefined;
  const watcher = watchTree(dir, (path) => {
    seen.push(path);
    wake?.();
  });
  const until = async (done: () => boolean): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      assert.ok(Date.now() < deadline, `gave up; saw ${seen.join(", ")}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 200);
      });
    }
  };
  return { seen, watcher, until };
}

test("watchTree sees files in directories created after it started", async () => {
  const dir = await mkdtemp(join(tmpdir(), "phial-cli-watch-"));
  const { seen, watcher, until } = watchRecording(dir);
  try {
    await mkdir(join(dir, "routes"));
    await until(() => seen.includes(join(dir, "routes")));
    // The new directory's own watcher is in place once its creation was reported.
    await writeFile(join(dir, "routes", "users.ts"), "export {};\n");
    await until(() => seen.includes(join(dir, "routes", "users.ts")));
    await writeFile(join(dir, ".hidden"), "x");
    await writeFile(join(dir, "last.ts"), "x");
    await until(() => seen.includes(join(dir, "last.ts")));
    assert.ok(!seen.some((p) => p.includes(".hidden")));
  } finally {
    watcher.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("watchTree releases a removed directory and watches one created again in its place", async () => {
  const dir = await mkdtemp(join(tmpdir(), "phial-cli-watch-"));
  await mkdir(join(dir, "routes", "deep"), { recursive: true });
  const { seen, watcher, until } = watchRecording(dir);
  try {
    // Watched from the start, nested directory included.
    await writeFile(join(dir, "routes", "deep", "a.ts"), "x");
    await until(() => seen.includes(join(dir, "routes", "deep", "a.ts")));
    await rm(join(dir, "routes"), { recursive: true });
    await until(() => seen.includes(join(dir, "routes")));
    seen.length = 0;
    // Had the old watchers been kept, the new directory would count as watched already and
    // its files would go unseen.
    await mkdir(join(dir, "routes"));
    await until(() => seen.includes(join(dir, "routes")));
    await writeFile(join(dir, "routes", "b.ts"), "x");
    await until(() => seen.includes(join(dir, "routes", "b.ts")));
  } finally {
    watcher.close();
    await rm(dir, { recursive: true, force: true });
  }
});
