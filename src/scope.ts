/**
 * Which hooks and error handlers apply to a request. Every route belongs to a scope: the app's
 * own, or one per blueprint mount (the app, then each enclosing blueprint). Hook lists are read
 * once, when registration closes, and flattened in Flask's order so the dispatcher only loops.
 */
import { HTTPError, NotFound } from "./errors.ts";
import type {
  AfterRequestHook,
  BeforeRequestHook,
  ErrorHandler,
  TeardownHook,
} from "./scaffold.ts";

/** What a scope reads from the app and each blueprint: their registered hooks and handlers. */
export interface HookSource {
  readonly beforeRequestHooks: readonly BeforeRequestHook[];
  readonly afterRequestHooks: readonly AfterRequestHook[];
  readonly teardownHooks: readonly TeardownHook[];
  readonly errorHandlers: ReadonlyMap<unknown, ErrorHandler<never>>;
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * The hooks of one mount, in run order: `before` app first, then parent, then child; `after`
 * and `teardown` child first, each scaffold's own last-registered first.
 */
export class Scope {
  /** The dotted blueprint name (`"api.v1"`), or `null` for the app's own routes. */
  readonly blueprint: string | null;
  /**
   * The mount's URL prefix as segments, for claiming unmatched URLs under it; `null` when it
   * claims none (the app, or a blueprint mounted without a prefix).
   */
  readonly prefix: readonly string[] | null;
  before: readonly BeforeRequestHook[] = EMPTY;
  after: readonly AfterRequestHook[] = EMPTY;
  teardown: readonly TeardownHook[] = EMPTY;
  /** No before or after hooks: handlers' values can be written without the lifecycle. */
  fast = true;
  /** Fast, and nothing (teardown or error handler) can change the default 404 page. */
  plainNotFound = true;
  readonly #chain: readonly HookSource[];
  /** Error handler maps, innermost scaffold first. */
  #handlers: readonly ReadonlyMap<unknown, ErrorHandler<never>>[] = EMPTY;

  /** @param chain the app first, then each blueprint down to the one that owns the routes. */
  constructor(blueprint: string | null, chain: readonly HookSource[], prefix: string) {
    this.blueprint = blueprint;
    this.#chain = chain;
    this.prefix = blueprint === null || prefix === "" ? null : prefixSegments(prefix);
  }

  /** Reads the hook lists; called once registration is closed, so they cannot change after. */
  seal(): void {
    const chain = this.#chain;
    this.before = chain.flatMap((s) => s.beforeRequestHooks);
    const inner = [...chain].reverse();
    this.after = inner.flatMap((s) => [...s.afterRequestHooks].reverse());
    this.teardown = inner.flatMap((s) => [...s.teardownHooks].reverse());
    this.#handlers = inner.map((s) => s.errorHandlers).filter((m) => m.size > 0);
    this.fast = this.before.length === 0 && this.after.length === 0;
    this.plainNotFound =
      this.fast &&
      this.teardown.length === 0 &&
      this.findErrorHandler(new NotFound()) === undefined;
  }

  /**
   * The handler for an error, as Flask chooses it: by status in the innermost scaffold that has
   * one, then by the nearest class of the error, again innermost scaffold first.
   */
  findErrorHandler(err: unknown): ErrorHandler<never> | undefined {
    const maps = this.#handlers;
    if (maps.length === 0) return undefined;
    if (err instanceof HTTPError) {
      for (const map of maps) {
        const byStatus = map.get(err.status);
        if (byStatus !== undefined) return byStatus;
      }
    }
    if (err === null || typeof err !== "object") return undefined;
    for (const map of maps) {
      for (
        let proto = Object.getPrototypeOf(err);
        proto !== null;
        proto = Object.getPrototypeOf(proto)
      ) {
        const byClass = map.get(proto.constructor);
        if (byClass !== undefined) return byClass;
      }
    }
    return undefined;
  }

  /** Whether `segments` (a decoded path split on "/") lies under this scope's prefix. */
  claims(segments: readonly string[]): boolean {
    const prefix = this.prefix;
    if (prefix === null || segments.length < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) {
      const want = prefix[i];
      if (want !== WILDCARD && want !== segments[i]) return false;
    }
    return true;
  }
}

/**
 * Picks the scope of a request that matched no route: the deepest blueprint whose prefix covers
 * the path, else the app. Unlike Flask, this lets a blueprint's 404/405 handlers answer.
 * Segments are split on the raw path and decoded one by one, as routing does, so `%2F` stays
 * inside its segment and never reaches under a prefix it does not belong to.
 */
export function scopeForPath(rawPath: string, prefixed: readonly Scope[], root: Scope): Scope {
  const segments = rawPath.split("/").slice(1).map(decodeSegment);
  for (const scope of prefixed) if (scope.claims(segments)) return scope;
  return root;
}

/**
 * Orders scopes so that the deepest prefix is tried first and, at equal depth, the one with
 * fewer parameter segments (`/api` before `/<lang>`), as routing prefers static segments.
 */
export function byDepth(scopes: readonly Scope[]): Scope[] {
  const wild = (s: Scope) => s.prefix?.filter((seg) => seg === WILDCARD).length ?? 0;
  return scopes
    .filter((s) => s.prefix !== null)
    .sort((a, b) => (b.prefix?.length ?? 0) - (a.prefix?.length ?? 0) || wild(a) - wild(b));
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const WILDCARD = "\0param";

// A prefix segment holding a parameter ("<lang>", ":lang", "*rest", "{...}") matches any segment.
function prefixSegments(prefix: string): string[] {
  return prefix
    .split("/")
    .slice(1)
    .filter((s) => s !== "")
    .map((s) => (/[<:*{]/.test(s) ? WILDCARD : s));
}
