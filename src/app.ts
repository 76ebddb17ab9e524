import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type Blueprint, checkMount, type RegisterBlueprintOptions } from "./blueprint.ts";
import { Config, type ConfigInit, type TrustProxy, validateConfig } from "./config.ts";
import { activeRequest, currentRequest, forwarder } from "./context.ts";
import { Dispatcher } from "./dispatcher.ts";
import { BuildError, SetupError } from "./errors.ts";
import { finishUrl, type UrlForOptions, underRoot } from "./external-url.ts";
import { callerDirectory } from "./internal/caller.ts";
import { compileTrust, type TrustFn } from "./internal/proxy.ts";
import { type LogSink, PhialLogger } from "./logger.ts";
import { type ConverterRegistry, defaultConverters } from "./routing/converters.ts";
import { type RouteSpec, Scaffold } from "./scaffold.ts";
import { GracefulServer, type ServerTimeouts, serverTimeouts } from "./server.ts";
import { SecureCookieSessionInterface, type SessionInterface } from "./sessions.ts";
import { type CloseOnSignalsOptions, closeOnSignals, type SignalClose } from "./shutdown.ts";
import { staticFiles, staticSetup } from "./static.ts";
import { Templates } from "./templates.ts";
import { TestClient } from "./testing.ts";
import { type RuleInfo, UrlMap } from "./url-map.ts";

export type { RuleInfo, ServerTimeouts };

/** Options for `new Phial()`. @example `new Phial({ config: { debug: true }, logger: console })` */
export interface PhialOptions {
  /** Initial configuration; set over the defaults (see {@link Config}). */
  config?: ConfigInit;
  /** Where log lines go: the console (default), pino, bunyan, or any {@link LogSink}. */
  logger?: LogSink | PhialLogger;
  /**
   * Turns on the context locals `request`, `g`, `session`, `currentApp` and `urlFor` (default
   * `false`). They cost every request some time on Node 20 (see BENCHMARKS.md), so apps that
   * only use the handler's `req` do not pay for them.
   */
  contextLocals?: boolean;
  /**
   * The folder served at `staticUrlPath` (endpoint `"static"`), resolved against `rootPath`.
   * Default `"static"`, served only if it exists when the app is created; a folder given
   * explicitly is always routed (404 while it is missing); `null` turns static files off.
   */
  staticFolder?: string | null;
  /** The URL path of the static folder; default `"/"` plus the folder's name, e.g. `"/static"`. */
  staticUrlPath?: string;
  /** The directory relative paths resolve against; default the directory of the module that called `new Phial()`. */
  rootPath?: string;
  /** The folder of the app's templates, resolved against `rootPath`; default `"templates"`. Searched before blueprints' folders. */
  templateFolder?: string;
  /** Where sessions live; default signed cookies ({@link SecureCookieSessionInterface}); `null` for none. */
  sessionInterface?: SessionInterface | null;
}

/** Options for `app.listen()`. @example `await app.listen({ port: 8000, host: "0.0.0.0" })` */
export interface ListenOptions {
  /** Port to listen on; `0` picks a free one. Default 5000, like Flask. */
  port?: number;
  /** Interface to bind; default `127.0.0.1` (use `0.0.0.0` to accept outside connections). */
  host?: string;
}

/** Options for `app.close()`. @example `await app.close({ timeout: 5000 })` */
export interface CloseOptions {
  /**
   * Milliseconds to let in-flight requests finish before their connections are destroyed.
   * Default 10 s; `0` destroys them at once.
   */
  timeout?: number;
}

/**
 * A phial application: configuration, the route table, hooks and error handlers, and the
 * server that serves them.
 *
 * @example
 * ```ts
 * import { Phial } from "phial";
 * const app = new Phial();
 * app.get("/", () => "Hello, phial!");
 * app.get("/users/<int:id>", (req) => ({ id: req.params.id }));
 * await app.listen({ port: 5000 });
 * ```
 */
export class Phial extends Scaffold {
  /** The configuration; change it before the first request. */
  readonly config: Config;
  /** Path converters by name; add your own with `app.converters.set(name, converter)` before routes use them. */
  readonly converters: ConverterRegistry = defaultConverters();
  /** Where phial reports errors it does not send to clients; its level follows `config.logLevel`. */
  logger: PhialLogger;
  /** The directory relative paths (the static folder) resolve against. */
  readonly rootPath: string;
  /** The absolute path of the static folder, or `null` when turned off. */
  readonly staticFolder: string | null;
  /** The URL path the static folder is served at (`"/static"`), or `null` when turned off. */
  readonly staticUrlPath: string | null;
  /** The absolute path of the app's template folder. */
  readonly templateFolder: string;
  /** The template engine: its nunjucks `environment` takes filters and globals (see `templates.ts`). */
  readonly templates: Templates;
  /**
   * Opens and saves sessions: signed cookies by default, or your own {@link SessionInterface}
   * (a server-side store); `null` turns sessions off. Replace it before the first request.
   */
  sessionInterface: SessionInterface | null;

  readonly #urls = new UrlMap(this, this.converters);
  #trust: { readonly value: TrustProxy; readonly fn: TrustFn } | undefined;
  readonly #contextLocals: boolean;
  #dispatcher: Dispatcher | undefined;
  #server: GracefulServer | undefined;

  /**
   * Creates an app. Folders resolve against `options.rootPath`, by default the directory of the
   * module that called `new Phial()`, so create the app next to its `static` and `templates`.
   */
  constructor(options: PhialOptions = {}) {
    super();
    this.config = new Config(options.config);
    this.logger = PhialLogger.from(options.logger).configure(this.config);
    this.#contextLocals = options.contextLocals === true;
    this.sessionInterface =
      options.sessionInterface === undefined
        ? new SecureCookieSessionInterface()
        : options.sessionInterface;
    // Flask's root_path, static_folder and the "static" route.
    this.rootPath = options.rootPath ?? callerDirectory();
    const statics = staticSetup(this.rootPath, options);
    this.staticFolder = statics?.folder ?? null;
    this.staticUrlPath = statics?.urlPath ?? null;
    if (statics?.register)
      this.get(statics.rule, { endpoint: "static" }, staticFiles(statics.folder));
    // Flask's search order: the app's folder, then each blueprint's in registration order.
    this.templateFolder = path.resolve(this.rootPath, options.templateFolder ?? "templates");
    this.templates = new Templates({
      config: this.config,
      searchPath: () => [this.templateFolder, ...this.#blueprintTemplateFolders()],
    });
  }

  #blueprintTemplateFolders(): string[] {
    const folders = new Set<string>();
    for (const bp of this.#urls.blueprints()) {
      if (bp.templateFolder !== null) folders.add(bp.templateFolder);
    }
    return [...folders];
  }

  protected override addRoute(spec: RouteSpec): void {
    this.#urls.add(spec.rule, spec.endpoint, spec);
    super.addRoute(spec);
  }

  /**
   * Registers a blueprint's routes, hooks and error handlers (and its nested blueprints') on the
   * app, under its prefix and name. The blueprint takes no more registrations afterwards; the
   * same blueprint can be registered again under another `name` and `urlPrefix`.
   *
   * @example
   * ```ts
   * app.registerBlueprint(api, { urlPrefix: "/api/v1" });
   * app.registerBlueprint(api, { urlPrefix: "/api/v2", name: "apiV2" });
   * ```
   */
  registerBlueprint(blueprint: Blueprint, options: RegisterBlueprintOptions = {}): void {
    this.assertOpen(`the blueprint "${blueprint?.name}"`);
    checkMount(blueprint, options);
    this.#urls.mount(blueprint, options);
  }

  /**
   * `config.trustProxy` as a predicate over proxy hops, compiled once per value: what requests
   * consult for `req.ip`, `req.host` and `req.protocol`.
   *
   * @example
   * ```ts
   * app.config.trustProxy = ["10.0.0.0/8"];
   * app.proxyTrust("10.0.0.7", 0); // true
   * ```
   */
  get proxyTrust(): TrustFn {
    const value = this.config.trustProxy;
    if (this.#trust?.value !== value) this.#trust = { value, fn: compileTrust(value) };
    return this.#trust.fn;
  }

  /**
   * Every registered rule in registration order, blueprints' included: what `phial routes` prints.
   *
   * @example
   * ```ts
   * app.rules().map((r) => r.endpoint); // ["index", "api.users"]
   * ```
   */
  rules(): readonly RuleInfo[] {
    return this.#urls.rules;
  }

  /**
   * The `node:http` request listener, for `http.createServer(app.handler)`, `https`, or `http2`
   * in compatibility mode. The first request freezes registration. Give a server you create the
   * slow-client timeouts with {@link serverOptions}.
   *
   * @example
   * ```ts
   * https.createServer({ key, cert, ...app.serverOptions() }, app.handler).listen(8443);
   * ```
   */
  readonly handler = (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ): void => {
    // HTTP/2's compatibility objects mirror the parts of the HTTP/1 API that phial uses.
    const raw = req as IncomingMessage;
    const out = res as ServerResponse;
    const dispatcher = this.#dispatcher ?? this.#start(out);
    if (dispatcher !== undefined) dispatcher.listener(raw, out);
  };

  /** Validates, freezes and builds the dispatcher on the first request; a bad config answers 500. */
  #start(res: ServerResponse): Dispatcher | undefined {
    try {
      validateConfig(this.config);
    } catch (err) {
      // Every request keeps landing here, so the misconfiguration stays visible in the log.
      const reason = err instanceof Error ? err.message : String(err);
      this.logger.error(`The app is misconfigured: ${reason}`, { err });
      res.writeHead(500, {
        "content-type": "text/plain; charset=utf-8",
        "x-content-type-options": "nosniff",
      });
      res.end("The app is misconfigured; see the server log.");
      return undefined;
    }
    this.freezeRegistration("the app has already started handling requests");
    this.#urls.freeze(this.config.handlerTimeout, (req, error) => {
      this.logger.warn(
        `${req.method} ${req.rawPath} did not answer within ${error.timeout} ms; answered 503`,
        { endpoint: req.endpoint },
      );
    });
    this.#dispatcher = new Dispatcher({
      owner: this,
      config: this.config,
      table: this.#urls.table,
      scopes: this.#urls.scopes,
      contextLocals: this.#contextLocals,
      logger: this.logger,
    });
    return this.#dispatcher;
  }

  /**
   * Builds the URL of an endpoint from its rule, converting each value with the rule's
   * converter; values the rule does not use become the query string. Blueprint endpoints are
   * dotted (`"api.user"`); `".user"` means the current request's blueprint, which needs a request
   * (use `req.urlFor`, or context locals). Paths start with `config.applicationRoot`. An external
   * URL outside a request takes its host from `config.serverName` and its scheme from
   * `config.preferredUrlScheme`.
   *
   * @example
   * ```ts
   * app.urlFor("showUser", { id: 7, tab: "posts" }); // "/users/7?tab=posts"
   * app.urlFor("showUser", { id: 7 }, { external: true }); // "https://example.com/users/7"
   * ```
   */
  urlFor(
    endpoint: string,
    values: Readonly<Record<string, unknown>> = {},
    options?: UrlForOptions,
  ): string {
    if (endpoint.startsWith(".")) {
      const req = activeRequest();
      if (req === undefined) {
        throw new BuildError(
          `"${endpoint}" is relative to the current blueprint, and there is no current request; call req.urlFor("${endpoint}") or use the full name.`,
        );
      }
      return req.urlFor(endpoint, values, options);
    }
    const path = underRoot(this.config.applicationRoot, this.#urls.build(endpoint, values));
    return options === undefined ? path : finishUrl(path, this.config, options, activeRequest());
  }

  /**
   * Starts a `node:http` server and resolves once it listens. Validates the configuration first,
   * and gives the server the slow-client timeouts of the config (see {@link serverOptions}).
   *
   * @example
   * ```ts
   * const server = await app.listen({ port: 0 });
   * console.log((server.address() as AddressInfo).port);
   * ```
   */
  async listen(options: ListenOptions = {}): Promise<Server> {
    if (this.#server !== undefined)
      throw new SetupError("The app is already listening.", { code: "already_listening" });
    const served = new GracefulServer(this.serverOptions(), this.handler);
    this.#server = served;
    try {
      await served.listen(options.port ?? 5000, options.host ?? "127.0.0.1");
    } catch (err) {
      this.#server = undefined;
      throw err;
    }
    // A failed accept (EMFILE when slow clients hold every descriptor) is emitted as "error";
    // without a listener it would end the process.
    served.server.on("error", (err) => this.logger.error("The server reported an error", { err }));
    // A dispatcher that served (and closed) an earlier server must stop saying Connection: close.
    if (this.#dispatcher) this.#dispatcher.closing = false;
    return served.server;
  }

  /**
   * The `node:http` server options `listen()` uses: the slow-client timeouts of the config
   * (`headersTimeout`, `requestTimeout`, `keepAliveTimeout`, `connectionsCheckingInterval`),
   * after validating it. Pass them to a server you create yourself; they must be given when the
   * server is created.
   *
   * @example
   * ```ts
   * https.createServer({ key, cert, ...app.serverOptions() }, app.handler).listen(8443);
   * ```
   */
  serverOptions(): ServerTimeouts {
    validateConfig(this.config);
    return serverTimeouts(this.config);
  }

  /** The address the server listens on, once `listen()` resolved. @example `app.address()?.port` */
  address(): AddressInfo | null {
    const address = this.#server?.server.address();
    return typeof address === "object" && address !== null ? address : null;
  }

  /**
   * Closes the server `listen()` started: stops accepting connections, lets in-flight requests
   * finish (their responses carry `Connection: close`), answers requests that arrive meanwhile
   * on connections still open with 503 and `Connection: close` (no hook or handler runs for
   * them), closes idle keep-alive connections, and destroys what is still open after `timeout`
   * ms. Resolves when the server has closed. Called again while closing, it waits for the same
   * close, and a shorter `timeout` brings the deadline forward.
   *
   * @example
   * ```ts
   * process.once("SIGTERM", () => app.close({ timeout: 5000 }));
   * ```
   */
  close(options: CloseOptions = {}): Promise<void> {
    const served = this.#server;
    if (served === undefined) return Promise.resolve();
    const timeout = options.timeout ?? 10_000;
    if (typeof timeout !== "number" || !(timeout >= 0)) {
      return Promise.reject(
        new SetupError(
          `close({ timeout }) takes milliseconds, 0 or more, got ${String(timeout)}.`,
          { code: "invalid_timeout" },
        ),
      );
    }
    if (this.#dispatcher) this.#dispatcher.closing = true;
    const closed = served.close(timeout);
    return closed.finally(() => {
      if (this.#server === served) this.#server = undefined;
    });
  }

  /**
   * Closes the app gracefully on SIGINT or SIGTERM (see {@link closeOnSignals}): the first
   * signal runs `close({ timeout })`, a second destroys what is still open. Returns the promise
   * of that close and a way to remove the listeners.
   *
   * @example
   * ```ts
   * await app.listen({ port: 8000 });
   * app.closeOnSignals({ timeout: 5000 }).closed.then(() => db.end());
   * ```
   */
  closeOnSignals(options?: CloseOnSignalsOptions): SignalClose {
    return closeOnSignals(this, options);
  }

  /**
   * A client that sends requests to this app in-process, without a port.
   *
   * @example
   * ```ts
   * const res = await app.testClient().get("/users/1");
   * assert.equal(res.status, 200);
   * ```
   */
  testClient(): TestClient {
    return new TestClient(this);
  }
}

/**
 * The app handling the current request (Flask's `current_app`), for code that has no `app` in
 * reach, such as a blueprint module. Needs `new Phial({ contextLocals: true })`.
 *
 * @example
 * ```ts
 * import { currentApp } from "phial";
 * const debug = currentApp.config.debug;
 * ```
 */
export const currentApp: Phial = forwarder(
  () => currentRequest("`currentApp`").owner as unknown as Phial,
);
