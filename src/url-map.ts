/**
 * The app's URL map: every rule in the route table with its endpoint and scope, the endpoints
 * `urlFor` builds from, and the blueprint mounts. It records and compiles; it serves nothing.
 */
import {
  type Blueprint,
  checkName,
  joinRule,
  normalizePrefix,
  type RegisterBlueprintOptions,
} from "./blueprint.ts";
import type { RouteEntry } from "./dispatch-state.ts";
import { BuildError, SetupError } from "./errors.ts";
import { type OnTimeout, withTimeout } from "./handler-timeout.ts";
import type { Request } from "./request.ts";
import { buildUrl } from "./routing/build.ts";
import type { ConverterRegistry } from "./routing/converters.ts";
import { type CompiledPattern, compilePattern } from "./routing/pattern.ts";
import { RouteTable } from "./routing/table.ts";
import type { AnyHandler, RouteSpec } from "./scaffold.ts";
import { type HookSource, Scope } from "./scope.ts";

/**
 * One registered rule, as `app.rules()` lists it (Flask's `url_map.iter_rules()`).
 *
 * @example
 * ```ts
 * for (const r of app.rules()) console.log(r.endpoint, r.methods.join(","), r.rule);
 * ```
 */
export interface RuleInfo {
  /** The full pattern, blueprint prefixes included, as written. */
  readonly rule: string;
  /** The endpoint name, dotted with its blueprints (`"api.users.show"`). */
  readonly endpoint: string;
  /** The methods registered for it, upper-case; HEAD and OPTIONS are implied, not listed. */
  readonly methods: readonly string[];
  /** The dotted name of its blueprint, or `null` for the app's own routes. */
  readonly blueprint: string | null;
}

interface EndpointInfo {
  readonly identity: AnyHandler;
  readonly patterns: CompiledPattern[];
}

/**
 * Rules, endpoints and blueprint mounts of one app.
 *
 * @example
 * ```ts
 * const urls = new UrlMap(app, app.converters);
 * urls.add("/users/<int:id>", "user", spec);
 * urls.build("user", { id: 7 }); // "/users/7"
 * ```
 */
export class UrlMap {
  readonly table = new RouteTable<RouteEntry>();
  /** The app's own scope first, then one per blueprint mount. */
  readonly scopes: Scope[];
  /** Every rule in registration order. */
  readonly rules: RuleInfo[] = [];
  readonly #endpoints = new Map<string, EndpointInfo>();
  /** Blueprints by their dotted mount name. */
  readonly #mounts = new Map<string, Blueprint>();
  readonly #app: HookSource;
  readonly #converters: ConverterRegistry;
  #frozen = false;

  constructor(app: HookSource, converters: ConverterRegistry) {
    this.#app = app;
    this.#converters = converters;
    this.scopes = [new Scope(null, [app], "")];
  }

  /** Compiles `rule` and adds it to the table under `endpoint`, in `scope` (the app's by default). */
  add(rule: string, endpoint: string, spec: RouteSpec, scope = this.scopes[0] as Scope): void {
    const pattern = compilePattern(rule, this.#converters);
    const known = this.#endpoints.get(endpoint);
    if (known !== undefined && known.identity !== spec.identity) {
      throw new SetupError(
        `The endpoint "${endpoint}" is already taken by another handler; pass { endpoint: "..." } to name this one (rule "${rule}").`,
      );
    }
    // The params type was checked against this pattern at registration; the table produces the
    // same params at run time, so erasing it here is safe.
    const handler = spec.handler as (req: Request) => unknown;
    this.table.add(pattern, spec.methods, { endpoint, handler, scope, timeout: spec.timeout });
    if (known === undefined) {
      this.#endpoints.set(endpoint, { identity: spec.identity, patterns: [pattern] });
    } else {
      known.patterns.push(pattern);
    }
    this.rules.push({ rule, endpoint, methods: spec.methods, blueprint: scope.blueprint });
  }

  /** Replays a blueprint's routes, then its children's, under its prefix and dotted name. */
  mount(
    bp: Blueprint,
    options: RegisterBlueprintOptions,
    parentPrefix = "",
    parentName: string | null = null,
    parentChain: readonly HookSource[] = [this.#app],
  ): void {
    const own = checkName(options.name ?? bp.name);
    const name = parentName === null ? own : `${parentName}.${own}`;
    const taken = this.#mounts.get(name);
    if (taken !== undefined) {
      throw new SetupError(
        taken === bp
          ? `The blueprint "${name}" is already registered; to register it again, give it another name: registerBlueprint(bp, { name: "...", urlPrefix: "..." }).`
          : `The name "${name}" is already used by another blueprint; pass { name: "..." } to registerBlueprint().`,
      );
    }
    if (parentChain.includes(bp)) {
      throw new SetupError(`The blueprint "${bp.name}" is nested inside itself.`);
    }
    this.#mounts.set(name, bp);
    const prefix =
      parentPrefix + normalizePrefix(options.urlPrefix ?? bp.urlPrefix, `blueprint "${name}"`);
    const chain = [...parentChain, bp];
    const scope = new Scope(name, chain, prefix);
    this.scopes.push(scope);
    bp.markRegistered("an app");
    for (const spec of bp.routes) {
      this.add(joinRule(prefix, spec.rule), `${name}.${spec.endpoint}`, spec, scope);
    }
    for (const child of bp.children) {
      this.mount(child.blueprint, child.options, prefix, name, chain);
    }
  }

  /**
   * Ends registration for serving: wraps the handler of every route that has a timeout (its
   * own, else `handlerTimeout`), then freezes the table. Routes without one are left as they
   * are, so they cost nothing per request.
   */
  freeze(handlerTimeout: number | null, onTimeout: OnTimeout): void {
    if (this.#frozen) return;
    this.#frozen = true;
    for (const { value: entry } of this.table.routes()) {
      const ms = entry.timeout === undefined ? handlerTimeout : entry.timeout;
      if (ms !== null) entry.handler = withTimeout(entry.handler, ms, onTimeout);
    }
    this.table.freeze();
  }

  /** The mounted blueprints, in registration order. */
  blueprints(): IterableIterator<Blueprint> {
    return this.#mounts.values();
  }

  /** The URL of a full endpoint name; like Werkzeug, the first rule that can be built wins. */
  build(endpoint: string, values: Readonly<Record<string, unknown>>): string {
    const info = this.#endpoints.get(endpoint);
    if (info === undefined) {
      throw new BuildError(
        `No endpoint named "${endpoint}". Known endpoints: ${[...this.#endpoints.keys()].join(", ") || "none"}.`,
      );
    }
    let first: unknown;
    for (const pattern of info.patterns) {
      try {
        return buildUrl(pattern, values);
      } catch (err) {
        first ??= err;
      }
    }
    throw first;
  }
}
