import { type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { basename, join, sep } from "node:path";

const IGNORED_DIRS = new Set(["node_modules", "dist"]);

/**
 * Whether a changed path's name is noise for the reloader: dotfiles and dot-directories (.git,
 * editor swap files), node_modules, dist, and editor backups ending in `~`.
 *
 * @example
 * ```ts
 * isIgnored("node_modules"); // true
 * isIgnored("app.ts"); // false
 * ```
 */
export function isIgnored(name: string): boolean {
  return name.startsWith(".") || name.endsWith("~") || IGNORED_DIRS.has(name);
}

/** A running {@link watchTree}. */
export interface TreeWatcher {
  close(): void;
}

/**
 * Watches every directory under `root` that {@link isIgnored} does not skip, and calls
 * `onChange` with the absolute path of each file or directory that changes.
 *
 * One non-recursive watcher per directory rather than `fs.watch(root, { recursive: true })`:
 * on Linux, Node 20 emulates the recursive option by walking and watching every directory,
 * node_modules included, which is slow and can exhaust the inotify limit on a real project.
 *
 * @example
 * ```ts
 * const watcher = watchTree("src", (file) => console.log("changed", file));
 * watcher.close();
 * ```
 */
export function watchTree(root: string, onChange: (path: string) => void): TreeWatcher {
  const watchers = new Map<string, FSWatcher>();

  const unwatch = (dir: string): void => {
    for (const [path, watcher] of watchers) {
      if (path === dir || path.startsWith(dir + sep)) {
        watcher.close();
        watchers.delete(path);
      }
    }
  };

  const add = (dir: string): void => {
    if (watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        // Some platforms do not say which entry changed; the directory is the best we know.
        if (name === null) return onChange(dir);
        const file = join(dir, name.toString());
        if (isIgnored(basename(file))) return;
        refresh(file);
        onChange(file);
      });
    } catch {
      return; // Removed before we got to it, or unreadable: nothing to watch.
    }
    watcher.on("error", () => unwatch(dir));
    watchers.set(dir, watcher);
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !isIgnored(e.name))
        .map((e) => e.name);
    } catch {
      // Vanished meanwhile; its watcher reports an error and is dropped.
    }
    for (const name of entries) add(join(dir, name));
  };

  // A created directory needs its own watcher; a removed one must release its watchers.
  const refresh = (path: string): void => {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      unwatch(path);
      return;
    }
    if (isDir) add(path);
  };

  add(root);
  return {
    close() {
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
