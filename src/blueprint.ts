import path from "node:path";
import { SetupError } from "./errors.ts";
import { callerDirectory } from "./internal/caller.ts";
import { Scaffold } from "./scaffold.ts";
import { staticFiles, staticSetup } from "./static.ts";

/**
 * Options for `new Blueprint()`.
 *
 * @example
 * ```ts
 * const api = new Blueprint("api", { urlPrefix: "/api" });
 * ```
 */
export interface BlueprintOptions {
  /** Prefix of every rule of the blueprint, e.g. `"/api"`; the mount may override it. */
  urlPrefix?: string;
  /**
   * A folder of the blueprint's own static files, resolved against `rootPath`, served under the
   * blueprint's prefix at `staticUrlPath` with the endpoint `"<name>.static"`. None by default.
   */
  staticFolder?: string;
  /** The URL path of `staticFolder` inside the prefix; default `"/"` plus the folder's name. */
  staticUrlPath?: string;
  /** The directory `staticFolder` resolves against; default the directory of the module that called `new Blueprint()`. */
  rootPath?: string;
  /** A folder of templates, resolved against `rootPath`, searched after the app's (Flask's order). None by default. */
  templateFolder?: string;
}

/**
 * Options for `registerBlueprint()`, on the app or on a parent blueprint.
 *
 * @example
 * ```ts
 * app.registerBlueprint(api, { urlPrefix: "/api/v2", name: "apiV2" });
 * ```
 */
export interface RegisterBlueprintOptions {
  /** Replaces the blueprint's own `urlPrefix` for this mount. */
  urlPrefix?: string;
  /** The name its endpoints get for this mount (default the blueprint's name), to mount it twice. */
  name?: string;
}

/** A child blueprint as recorded by its parent. */
export interface ChildMount {
  readonly blueprint: Blueprint;
  readonly options: RegisterBlueprintOptions;
}

/**
 * A group of routes, hooks and error handlers registered on an app as a unit, under a URL prefix
 * and a name: its endpoints are named `"<name>.<endpoint>"` (`"admin.users.list"` when nested).
 * It records registrations only; the app replays them when the blueprint is registered, after
 * which the blueprint accepts no more routes or hooks (as in Flask).
 *
 * With `staticFolder`, it serves its own static files under its prefix (`urlFor("admin.static",
 * { filename })`).
 *
 * Its hooks run only for its own routes (and its children's): `beforeRequest` after the app's and
 * its parents', `afterRequest` and `teardownRequest` before them. Its error handlers are tried
 * before its parents' and the app's. Unlike Flask, its 404 and 405 handlers also answer URLs under
 * its prefix that match no route, so an API can answer JSON errors while the site answers HTML.
 *
 * @example
 * ```ts
 * import { Blueprint, Phial } from "phial";
 * const api = new Blueprint("api", { urlPrefix: "/api" });
 * api.get("/users/<int:id>", function user(req) { return { id: req.params.id }; });
 * api.errorHandler(404, () => [{ error: "not found" }, 404]);
 * const app = new Phial();
 * app.registerBlueprint(api);
 * app.urlFor("api.user", { id: 7 }); // "/api/users/7"
 * ```
 */
export class Blueprint extends Scaffold {
  /** The blueprint's name: the first part of its endpoints. */
  readonly name: string;
  /** The prefix of its rules unless the mount gives another. */
  readonly urlPrefix: string;
  /** @internal Blueprints registered on this one, in order; the app mounts them with it. */
  readonly children: ChildMount[] = [];
  /** The directory relative paths (the static folder) resolve against. */
  readonly rootPath: string;
  /** The absolute path of the blueprint's static folder, or `null` when it has none. */
  readonly staticFolder: string | null = null;
  /** The absolute path of the blueprint's template folder, or `null` when it has none. */
  readonly templateFolder: string | null;

  /**
   * Throws a `SetupError` when `name` is empty or contains a dot (dots separate nesting levels
   * in endpoint names).
   */
  constructor(name: string, options: BlueprintOptions = {}) {
    super();
    this.name = checkName(name);
    this.urlPrefix = normalizePrefix(options.urlPrefix ?? "", `blueprint "${name}"`);
    this.rootPath = options.rootPath ?? callerDirectory();
    this.templateFolder =
      options.templateFolder === undefined
        ? null
        : path.resolve(this.rootPath, options.templateFolder);
    if (options.staticFolder !== undefined) {
      const statics = staticSetup(this.rootPath, options);
      if (statics !== null) {
        this.staticFolder = statics.folder;
        this.get(statics.rule, { endpoint: "static" }, staticFiles(statics.folder));
      }
    }
  }

  /**
   * Nests `blueprint` inside this one: its endpoints become `"<this>.<child>.<endpoint>"` and its
   * prefix is appended to this one's.
   *
   * @example
   * ```ts
   * const admin = new Blueprint("admin", { urlPrefix: "/admin" });
   * admin.registerBlueprint(new Blueprint("users", { urlPrefix: "/users" }));
   * ```
   */
  registerBlueprint(blueprint: Blueprint, options: RegisterBlueprintOptions = {}): void {
    this.assertOpen(`the blueprint "${blueprint?.name}"`);
    checkMount(blueprint, options);
    if (blueprint === this) throw new SetupError(`A blueprint cannot be registered on itself.`);
    this.children.push({ blueprint, options });
  }

  /** @internal Called when the app replays this blueprint; it takes no registrations after. */
  markRegistered(where: string): void {
    this.freezeRegistration(`the blueprint "${this.name}" was already registered on ${where}`);
  }
}

/** Checks a blueprint or mount name: non-empty, no dots (dots separate nesting levels). */
export function checkName(name: unknown): string {
  if (typeof name !== "string" || name === "" || name.includes(".")) {
    throw new SetupError(
      `A blueprint name must be a non-empty string without dots, got ${JSON.stringify(name)}.`,
    );
  }
  return name;
}

/**
 * Validates a mount, on the app or on a parent blueprint: a real Blueprint, a dot-free name and
 * a prefix starting with "/".
 *
 * @example
 * ```ts
 * checkMount(api, { urlPrefix: "/v2", name: "v2" });
 * ```
 */
export function checkMount(blueprint: unknown, options: RegisterBlueprintOptions): void {
  if (!(blueprint instanceof Blueprint)) {
    throw new SetupError("registerBlueprint() takes a Blueprint.");
  }
  if (options.name !== undefined) checkName(options.name);
  if (options.urlPrefix !== undefined) {
    normalizePrefix(options.urlPrefix, `blueprint "${blueprint.name}"`);
  }
}

/**
 * A prefix with one leading slash and no trailing one (`"api/"` is refused, `"/api/"` becomes
 * `"/api"`); `""` and `"/"` mean none.
 */
export function normalizePrefix(prefix: string, owner: string): string {
  if (typeof prefix !== "string" || (prefix !== "" && !prefix.startsWith("/"))) {
    throw new SetupError(
      `The urlPrefix of ${owner} must start with "/", got ${JSON.stringify(prefix)}.`,
    );
  }
  return prefix.replace(/\/+$/, "");
}

/** Flask's join of a prefix and a rule: `"/api"` + `"/users"`, and `"/api"` + `"/"` is `"/api/"`. */
export function joinRule(prefix: string, rule: string): string {
  if (prefix === "") return rule;
  if (rule === "") return prefix;
  return `${prefix}/${rule.replace(/^\/+/, "")}`;
}
