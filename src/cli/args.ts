import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";
import { ROUTE_SORTS, type RouteSort } from "./routes.ts";

/**
 * Command-line parsing for `phial`: which command, its options, and the help texts. Values that
 * may also come from the environment (host, port, debug) stay `undefined` here when not given,
 * so the caller can fall back to PHIAL_RUN_HOST and friends after loading `.env`.
 */

/** `phial run`'s parsed options. */
export interface RunArgs {
  readonly command: "run";
  readonly module: string;
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly debug: boolean;
  readonly reload: boolean;
  readonly envFile: string | undefined;
}

/** `phial routes`'s parsed options. */
export interface RoutesArgs {
  readonly command: "routes";
  readonly module: string;
  readonly sort: RouteSort;
  readonly allMethods: boolean;
  readonly json: boolean;
  readonly debug: boolean;
  readonly envFile: string | undefined;
}

/** What the command line asks for. */
export type Parsed =
  | { readonly command: "help"; readonly text: string }
  | { readonly command: "version" }
  | RunArgs
  | RoutesArgs;

/** `phial --help`. */
export const MAIN_HELP = `Usage: phial <command> [options]

Commands:
  run <module>      Serve the app on a development server
  routes <module>   List the app's routes

Options:
  -h, --help        Show this help
  -V, --version     Print phial's version

<module> is a .ts, .mts, .js or .mjs file that exports your Phial instance as \`app\`,
or a function \`createApp()\` that returns it. TypeScript modules load through tsx.
Variables in ./.env are loaded first; the environment wins over the file.
Run 'phial <command> --help' for a command's options.
`;

/** `phial run --help`. */
export const RUN_HELP = `Usage: phial run <module> [options]

Serve the app on a development server. For production, call app.listen() from your own
script behind a process manager.

Options:
  --host <host>          Interface to bind (default: $PHIAL_RUN_HOST or 127.0.0.1)
  -p, --port <port>      Port, 0 for any free one (default: $PHIAL_RUN_PORT or 5000)
  --debug                Set config.debug (error pages show stacks) and show stacks of
                         CLI errors (default: $PHIAL_DEBUG)
  --reload               Restart the server when a .ts or .js file under the module's
                         directory changes
  -e, --env-file <path>  Load variables from this file instead of ./.env (on Node 20 use -e:
                         node itself claims --env-file anywhere on the command line)
  -h, --help             Show this help
`;

/** `phial routes --help`. */
export const ROUTES_HELP = `Usage: phial routes <module> [options]

Show the app's routes: endpoint, methods and rule.

Options:
  --sort <key>           Order by endpoint (default), methods, rule, or match
                         (registration order)
  --all-methods          Also show HEAD and OPTIONS, which phial answers for every rule
  --json                 Print the routes as a JSON array
  --debug                Show stacks of errors (default: $PHIAL_DEBUG)
  -e, --env-file <path>  Load variables from this file instead of ./.env (on Node 20 use -e:
                         node itself claims --env-file anywhere on the command line)
  -h, --help             Show this help
`;

const RUN_OPTIONS = {
  host: { type: "string" },
  port: { type: "string", short: "p" },
  debug: { type: "boolean" },
  reload: { type: "boolean" },
  "env-file": { type: "string", short: "e" },
  help: { type: "boolean", short: "h" },
} as const;

const ROUTES_OPTIONS = {
  sort: { type: "string" },
  "all-methods": { type: "boolean" },
  json: { type: "boolean" },
  debug: { type: "boolean" },
  "env-file": { type: "string", short: "e" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parses `phial`'s arguments (without `node` and the script). Throws a {@link UsageError} for
 * anything it does not understand.
 *
 * @example
 * ```ts
 * parseCommand(["run", "app.ts", "--port", "0"]); // { command: "run", module: "app.ts", port: 0, ... }
 * ```
 */
export function parseCommand(argv: readonly string[]): Parsed {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    return { command: "help", text: MAIN_HELP };
  }
  if (first === "-V" || first === "--version") return { command: "version" };
  if (first === "run") return parseRun(rest);
  if (first === "routes") return parseRoutes(rest);
  if (first.startsWith("-")) throw new UsageError(`Unknown option ${first}.`);
  throw new UsageError(`Unknown command '${first}'; the commands are run and routes.`);
}

function parseRun(argv: readonly string[]): Parsed {
  const { values, positionals } = parse(argv, RUN_OPTIONS, "phial run");
  if (values.help) return { command: "help", text: RUN_HELP };
  return {
    command: "run",
    module: onlyModule(positionals, "phial run"),
    host: values.host === undefined ? undefined : parseHost(values.host),
    port: values.port === undefined ? undefined : parsePort(values.port, "--port", "phial run"),
    debug: values.debug === true,
    reload: values.reload === true,
    envFile: values["env-file"],
  };
}

function parseRoutes(argv: readonly string[]): Parsed {
  const { values, positionals } = parse(argv, ROUTES_OPTIONS, "phial routes");
  if (values.help) return { command: "help", text: ROUTES_HELP };
  const sort = values.sort ?? "endpoint";
  if (!isSort(sort)) {
    throw new UsageError(
      `--sort must be one of ${ROUTE_SORTS.join(", ")}; got '${sort}'.`,
      "phial routes",
    );
  }
  return {
    command: "routes",
    module: onlyModule(positionals, "phial routes"),
    sort,
    allMethods: values["all-methods"] === true,
    json: values.json === true,
    debug: values.debug === true,
    envFile: values["env-file"],
  };
}

/**
 * Reads a port number from `--port` or PHIAL_RUN_PORT: a whole number from 0 (any free port) to
 * 65535, or a usage error naming where the bad value came from.
 *
 * @example
 * ```ts
 * parsePort("8000", "--port"); // 8000
 * ```
 */
export function parsePort(raw: string, source: string, command = "phial run"): number {
  const value = /^\d{1,5}$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(value >= 0 && value <= 65535)) {
    throw new UsageError(
      `${source} must be a whole number from 0 to 65535, got '${raw}'.`,
      command,
    );
  }
  return value;
}

function parseHost(raw: string): string {
  if (raw.trim() === "") throw new UsageError("--host needs a host name or address.", "phial run");
  return raw.trim();
}

function isSort(value: string): value is RouteSort {
  return (ROUTE_SORTS as readonly string[]).includes(value);
}

function onlyModule(positionals: readonly string[], command: string): string {
  const [module, extra] = positionals;
  if (module === undefined) {
    throw new UsageError(
      `Missing <module>: pass the file that creates your app, as in '${command} app.ts'.`,
      command,
    );
  }
  if (extra !== undefined) throw new UsageError(`Unexpected argument '${extra}'.`, command);
  return module;
}

type Spec = Record<string, { type: "string" | "boolean"; short?: string }>;

function parse<T extends Spec>(argv: readonly string[], options: T, command: string) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(explain(err, command), command);
  }
}

/** parseArgs' messages suggest `--` tricks that do not apply here; say what went wrong instead. */
function explain(err: unknown, command: string): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const name = /'([^']+)'/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `Unknown option ${name} for '${command}'.`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const option = name.split(", ").pop()?.split(" ")[0] ?? name;
    return /argument missing|ambiguous/.test(message)
      ? `Option ${option} needs a value.`
      : `Option ${option} takes no value.`;
  }
  return message;
}
