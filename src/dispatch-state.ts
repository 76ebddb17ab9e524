/**
 * What a dispatcher serves: the app's state, frozen when serving begins, and what its route table
 * stores for each route. Kept apart from the dispatcher so that the URL map, which builds the
 * table, and the error path, which reads the state, need not import the dispatcher.
 */
import type { Config } from "./config.ts";
import type { PhialLogger } from "./logger.ts";
import type { Request, RequestOwner } from "./request.ts";
import type { RouteTable } from "./routing/table.ts";
import type { Scope } from "./scope.ts";

/** What the route table stores for each route. */
export interface RouteEntry {
  readonly endpoint: string;
  /**
   * Called with a request whose params this route's own pattern produced. Replaced once, when
   * the app starts, by a timed wrapper if the route has a timeout.
   */
  handler: (req: Request) => unknown;
  /** The hooks and error handlers of the app or blueprint mount the route belongs to. */
  readonly scope: Scope;
  /** The route's own `timeout` option; `undefined` follows `config.handlerTimeout`. */
  readonly timeout: number | null | undefined;
}

/** The frozen app state a dispatcher serves. */
export interface DispatchState {
  readonly owner: RequestOwner;
  readonly config: Config;
  readonly table: RouteTable<RouteEntry>;
  /** The app's own scope first, then one per blueprint mount; sealed by the dispatcher. */
  readonly scopes: readonly Scope[];
  /** Whether requests run inside the context-locals storage. */
  readonly contextLocals: boolean;
  readonly logger: PhialLogger;
}
