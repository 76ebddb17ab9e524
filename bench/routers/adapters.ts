/**
 * One adapter per router under test. Each `build()` registers the routes with the route id as the
 * router's stored value and returns two functions:
 * - `find`: the router's own lookup call and nothing more. This is what the benchmarks time. Its
 *   result is passed to `do_not_optimize` as is, so no wrapper object is allocated per lookup.
 * - `check`: `find` followed by a decoding of the router's native result into `{ id, params }`,
 *   used only by the correctness check (never timed).
 *
 * `build()` also does whatever the router does lazily before its first lookup (phial's freeze,
 * find-my-way's and rou3's compilation, the RegExpRouter's matcher build on first match), so that
 * the timed lookups never pay for it and the build timings of scaling.ts do.
 */
import { readFileSync } from "node:fs";
import FindMyWay from "find-my-way";
import type { Result as HonoResult } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { Memoirist } from "memoirist";
import { addRoute, createRouter, findRoute } from "rou3";
import { compileRouter } from "rou3/compiler";
import { defaultConverters } from "../../dist/routing/converters.js";
import { compilePattern } from "../../dist/routing/pattern.js";
import { type RouteMatch, RouteTable } from "../../dist/routing/table.js";

/** A route to register: `pattern` in `:param` syntax, `id` is what the router stores. */
export interface RouteSpec {
  readonly method: string;
  readonly pattern: string;
  readonly id: string;
}

/** A lookup decoded for the correctness check. Params keep the router's own value types. */
export interface Decoded {
  readonly id: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Ids of further routes the router answered with for the same request (RegExpRouter). */
  readonly others?: readonly string[];
}

export type Find = (method: string, path: string) => unknown;

export interface BuiltRouter {
  /** The router's native lookup: what is timed. */
  readonly find: Find;
  /** `find`, decoded; `null` when the router found nothing. */
  readonly check: (method: string, path: string) => Decoded | null;
}

export interface RouterAdapter {
  /** Display name, e.g. "find-my-way (compiled)". */
  readonly name: string;
  /** The npm package the router comes from. */
  readonly pkg: string;
  readonly version: string;
  /** How the router is used, for the report. */
  readonly api: string;
  build(routes: readonly RouteSpec[]): BuiltRouter;
}

function packageVersion(url: URL): string {
  const json: unknown = JSON.parse(readFileSync(url, "utf8"));
  if (typeof json === "object" && json !== null && "version" in json) {
    const { version } = json;
    if (typeof version === "string") return version;
  }
  throw new Error(`No "version" in ${url.pathname}`);
}

const depVersion = (name: string): string =>
  packageVersion(new URL(`../node_modules/${name}/package.json`, import.meta.url));

/** Registers each route, naming the router and the route when the router rejects one. */
function register(name: string, routes: readonly RouteSpec[], add: (r: RouteSpec) => void): void {
  for (const route of routes) {
    try {
      add(route);
    } catch (error) {
      throw new Error(
        `${name} cannot represent route "${route.id}": ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}

/** A copy of a router's params object (which may have a null prototype) as a plain record. */
function plain(params: object | null | undefined): Record<string, unknown> {
  return params == null ? {} : { ...params };
}

const idOf = (value: unknown): string => (typeof value === "string" ? value : String(value));

const phial: RouterAdapter = {
  name: "phial",
  pkg: "phial",
  version: packageVersion(new URL("../../package.json", import.meta.url)),
  api: "RouteTable.add(compilePattern(p), [m], id); freeze(); match(m, path)",
  build(routes) {
    const converters = defaultConverters();
    const table = new RouteTable<string>();
    register(this.name, routes, (r) =>
      table.add(compilePattern(r.pattern, converters), [r.method], r.id),
    );
    table.freeze();
    const find = (method: string, path: string): RouteMatch<string> => table.match(method, path);
    return {
      find,
      check(method, path) {
        const m = find(method, path);
        return m.type === "found" ? { id: m.value, params: plain(m.params) } : null;
      },
    };
  },
};

type FmwMethod = FindMyWay.HTTPMethod;
const noopHandler = (): void => {};

function findMyWayAdapter(compiled: boolean): RouterAdapter {
  return {
    name: compiled ? "find-my-way (compiled)" : "find-my-way (tree)",
    pkg: "find-my-way",
    version: depVersion("find-my-way"),
    api: compiled
      ? "on(m, p, noop, id); compile() (as Fastify 5 does); find(m, path) -> { store, params }"
      : "on(m, p, noop, id); find(m, path) -> { store, params } (radix tree walk)",
    build(routes) {
      const router = FindMyWay();
      register(this.name, routes, (r) =>
        router.on(r.method as FmwMethod, r.pattern, noopHandler, r.id),
      );
      if (compiled) router.compile();
      const find = (
        method: string,
        path: string,
      ): FindMyWay.FindResult<FindMyWay.HTTPVersion.V1> | null =>
        router.find(method as FmwMethod, path);
      return {
        find,
        check(method, path) {
          const r = find(method, path);
          return r === null ? null : { id: idOf(r.store), params: plain(r.params) };
        },
      };
    },
  };
}

const memoirist: RouterAdapter = {
  name: "memoirist",
  pkg: "memoirist",
  version: depVersion("memoirist"),
  api: "new Memoirist(); add(m, p, id); find(m, path) -> { store, params }",
  build(routes) {
    const router = new Memoirist<string>();
    register(this.name, routes, (r) => {
      router.add(r.method, r.pattern, r.id);
    });
    const find = (method: string, path: string) => router.find(method, path);
    return {
      find,
      check(method, path) {
        const r = find(method, path);
        return r === null ? null : { id: r.store, params: plain(r.params) };
      },
    };
  },
};

function rou3Adapter(compiled: boolean): RouterAdapter {
  return {
    name: compiled ? "rou3 (compiled)" : "rou3",
    pkg: "rou3",
    version: depVersion("rou3"),
    api: compiled
      ? "addRoute(ctx, m, p, id); compileRouter(ctx) -> match(m, path) -> { data, params }"
      : "createRouter(); addRoute(ctx, m, p, id); findRoute(ctx, m, path) -> { data, params }",
    build(routes) {
      const ctx = createRouter<string>();
      register(this.name, routes, (r) => addRoute(ctx, r.method, r.pattern, r.id));
      let find: (method: string, path: string) => ReturnType<typeof findRoute<string>>;
      if (compiled) {
        const match = compileRouter(ctx);
        find = (method, path) => match(method, path);
      } else {
        find = (method, path) => findRoute(ctx, method, path);
      }
      return {
        find,
        check(method, path) {
          const r = find(method, path);
          return r === undefined ? null : { id: r.data, params: plain(r.params) };
        },
      };
    },
  };
}

/**
 * Hono's RegExpRouter answers `[[handler, paramIndexMap][], paramStash]`: the param value is
 * `paramStash[paramIndexMap[name]]` (the stash is the RegExp match array, or a precomputed one
 * for static paths). The other result shape, `[[handler, params][]]`, holds the values directly.
 * It lists every route that matches (Hono runs them in order as a middleware chain), so the
 * first entry is the answer and any others are reported.
 */
function decodeHono(result: HonoResult<string>): Decoded | null {
  const [entries, stash] = result;
  const first = entries[0];
  if (first === undefined) return null;
  const params: Record<string, unknown> = {};
  for (const [name, slot] of Object.entries(first[1])) {
    params[name] = stash === undefined ? slot : stash[slot as number];
  }
  const others = entries.slice(1).map(([id]) => id);
  return others.length === 0 ? { id: first[0], params } : { id: first[0], params, others };
}

const hono: RouterAdapter = {
  name: "hono RegExpRouter",
  pkg: "hono",
  version: depVersion("hono"),
  api: "new RegExpRouter(); add(m, p, id); match(m, path) -> [[id, paramIndexMap][], stash]",
  build(routes) {
    const router = new RegExpRouter<string>();
    register(this.name, routes, (r) => router.add(r.method, r.pattern, r.id));
    const find = (method: string, path: string): HonoResult<string> => router.match(method, path);
    // The first match() builds the matchers (and throws for a route set it cannot represent);
    // it also runs the big RegExp once, which V8 compiles lazily on first use.
    try {
      find("GET", "/");
    } catch (error) {
      throw new Error(
        `${this.name} cannot represent this route set: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return { find, check: (method, path) => decodeHono(find(method, path)) };
  },
};

/** Every router under test, phial first (ratios are taken against it). */
export const adapters: readonly RouterAdapter[] = [
  phial,
  findMyWayAdapter(true),
  findMyWayAdapter(false),
  memoirist,
  rou3Adapter(false),
  rou3Adapter(true),
  hono,
];

/**
 * A benchmark body calling `find` for each request, then passing each result to `sink`.
 *
 * The body is compiled anew per call (`new Function`) on purpose: closures made from one function
 * literal share V8's feedback, so a single shared loop would see every router's `find` at one
 * call site, turn polymorphic, and penalise whichever router runs later. A fresh function per
 * benchmark keeps each call site monomorphic, as in an application with one router.
 */
export function makeLoop(
  find: Find,
  requests: readonly (readonly [method: string, path: string])[],
  sink: (value: unknown) => void,
): () => void {
  const methods = requests.map(([m]) => m);
  const paths = requests.map(([, p]) => p);
  const body =
    requests.length === 1
      ? "const m = methods[0], p = paths[0]; return function lookupOnce() { sink(find(m, p)); };"
      : "const n = paths.length; return function lookupAll() { for (let i = 0; i < n; i++) sink(find(methods[i], paths[i])); };";
  const factory = new Function("find", "methods", "paths", "sink", `"use strict"; ${body}`);
  return factory(find, methods, paths, sink) as () => void;
}
