/**
 * Templates: Jinja's syntax through nunjucks, an optional peer dependency loaded on the first
 * render. Each app owns one {@link Templates} (`app.templates`), whose nunjucks Environment is
 * created on first use over the app's `templateFolder`, then the blueprints' folders. Rendering is
 * synchronous, as nunjucks' FileSystemLoader is, so a handler can `return renderTemplate(...)`.
 */
import path from "node:path";
import type { Environment, FileSystemLoader, LoaderSource } from "nunjucks";
import type { Config } from "./config.ts";
import { currentRequest, forwarder } from "./context.ts";
import { HTTPError, PhialError } from "./errors.ts";
import type { UrlForOptions } from "./external-url.ts";
import type { FlashOptions } from "./flash.ts";
import { loadNunjucks, type NunjucksModule } from "./internal/nunjucks.ts";
import type { Request, TemplateRef } from "./request.ts";

/** Values a template sees, by name. @example `const context: TemplateContext = { posts, title: "Blog" }` */
export type TemplateContext = Readonly<Record<string, unknown>>;

/**
 * A template name that no template folder holds (Flask's `TemplateNotFound`): a 500, logged with
 * the folders searched; the client sees them only in debug.
 *
 * @example
 * ```ts
 * try { req.renderTemplate("nope.html") } catch (e) { if (e instanceof TemplateNotFound) console.log(e.template) } // "nope.html"
 * ```
 */
export class TemplateNotFound extends PhialError {
  /** The name that was asked for. */
  readonly template: string;
  /** The folders searched, in order. */
  readonly searchPath: readonly string[];

  /** The message names `template` and the folders of `searchPath`. */
  constructor(template: string, searchPath: readonly string[], options?: ErrorOptions) {
    super(
      `The template "${template}" was not found in ${searchPath.join(", ") || "no folder"}.`,
      500,
      "template_not_found",
      options,
    );
    this.template = template;
    this.searchPath = searchPath;
  }
}

/**
 * A template that failed to compile or render (a syntax error, a function that threw); the
 * message is nunjucks', with the template's name, line and column; `cause` is the original error.
 *
 * @example
 * ```ts
 * req.renderTemplateString("{% if %}"); // throws TemplateError (code "template_error")
 * ```
 */
export class TemplateError extends PhialError {
  /** `message` describes the failure; phial passes nunjucks' error as `options.cause`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, 500, "template_error", options);
  }
}

/**
 * What {@link Templates} reads from its app; the app builds one for `app.templates`.
 *
 * @example
 * ```ts
 * const templates = new Templates({ config: app.config, searchPath: () => ["/srv/app/templates"] });
 * ```
 */
export interface TemplatesOptions {
  /** The app's configuration: `templatesAutoReload` and `debug` decide on caching. */
  readonly config: Config;
  /** The folders to search, in order; read once, when the environment is created. */
  readonly searchPath: () => readonly string[];
  /** Finds the nunjucks module; tests replace it. By default, the optional `nunjucks` peer. */
  readonly load?: () => NunjucksModule;
}

/**
 * An app's template engine (`app.templates`, Flask's `jinja_env` holder). Its nunjucks
 * Environment is created on first use with `autoescape: true` and `throwOnUndefined: false`,
 * searching the app's `templateFolder` then each blueprint's, in registration order. Templates
 * are cached unless `config.templatesAutoReload` is true, or is `null` with `debug` on: then
 * every render reads the file again (nunjucks' `watch` would need chokidar). Both the search path
 * and the caching are fixed when the environment is created.
 *
 * @example
 * ```ts
 * app.templates.environment.addFilter("shout", (s: string) => s.toUpperCase());
 * ```
 */
export class Templates {
  readonly #options: TemplatesOptions;
  #env: Environment | undefined;
  #searchPath: readonly string[] = [];
  /** Names the loader could not find during the current render; rendering is synchronous. */
  #misses: string[] = [];

  /** Creates nothing yet: nunjucks is loaded and the environment built on first use. */
  constructor(options: TemplatesOptions) {
    this.#options = options;
  }

  /** The nunjucks Environment, created (and nunjucks loaded) on first use. */
  get environment(): Environment {
    this.#env ??= this.#create();
    return this.#env;
  }

  #create(): Environment {
    const nunjucks = (this.#options.load ?? loadNunjucks)();
    const config = this.#options.config;
    this.#searchPath = [...this.#options.searchPath()];
    const files = new nunjucks.FileSystemLoader([...this.#searchPath], {
      noCache: config.templatesAutoReload ?? config.debug,
    });
    guardNames(files, this.#misses);
    return new nunjucks.Environment(files, {
      autoescape: true,
      throwOnUndefined: false,
      // Keeps nunjucks' error as it is, with the original error as `cause`, for the log.
      dev: true,
    });
  }

  /**
   * Renders a template file (`{ name }`) or a source string (`{ source }`) for `req`, with the
   * globals every template sees (`request`, `session`, `g`, `urlFor`, `config`,
   * `getFlashedMessages`) under `context` (the context wins on equal names).
   *
   * @example
   * ```ts
   * app.templates.render(req, { name: "index.html" }, { posts });
   * ```
   */
  render(req: Request<unknown>, template: TemplateRef, context?: TemplateContext): string {
    const env = this.environment;
    const values = { ...templateGlobals(req), ...context };
    this.#misses.length = 0;
    try {
      return "name" in template
        ? env.render(template.name, values)
        : env.renderString(template.source, values);
    } catch (err) {
      throw this.#translate(err);
    }
  }

  #translate(err: unknown): unknown {
    const chain = causes(err);
    const inner = chain[chain.length - 1];
    // abort(404) inside a template function answers as it would in a handler.
    if (inner instanceof HTTPError) return inner;
    for (const miss of this.#misses) {
      // nunjucks reports a miss as a plain Error with this text, and records none of the name.
      if (chain.some((e) => e.message.includes(`template not found: ${miss}`))) {
        return new TemplateNotFound(miss, this.#searchPath, { cause: err });
      }
    }
    const first = chain[0];
    return first === undefined ? err : new TemplateError(first.message, { cause: err });
  }
}

/** The error and its `cause`s, outermost first (Error instances only). */
function causes(err: unknown): Error[] {
  const chain: Error[] = [];
  let current: unknown = err;
  while (current instanceof Error && !chain.includes(current)) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

/**
 * Refuses names with `..` segments or absolute paths, as Jinja does: nunjucks' own check accepts
 * a sibling folder sharing the folder's prefix (`../templates-old/x`). Records every miss so a
 * failed render can say which template was missing.
 */
function guardNames(files: FileSystemLoader, misses: string[]): void {
  // @types/nunjucks omits that getSource gives null for a name it cannot find.
  const find = files.getSource.bind(files) as (name: string) => LoaderSource | null;
  files.getSource = (name: string): LoaderSource => {
    const unsafe = path.isAbsolute(name) || name.split(/[\\/]/).includes("..");
    const found = unsafe ? null : find(name);
    if (found === null) misses.push(name);
    return found as LoaderSource;
  };
}

/**
 * The globals every template sees: `request`, `session`, `g`, `urlFor`, `config` and
 * `getFlashedMessages`. `session` is read only when a template uses it, so rendering alone never
 * marks the response as depending on the cookie. `urlFor` and `getFlashedMessages` take Jinja's
 * keyword arguments too: `urlFor("user", id=7)` is `urlFor("user", { id: 7 })`.
 *
 * @example
 * ```ts
 * templateGlobals(req).urlFor("index"); // "/"
 * ```
 */
function templateGlobals(req: Request<unknown>): Record<string, unknown> {
  return {
    request: req,
    session: forwarder(() => req.session),
    g: req.g,
    config: req.owner.config,
    urlFor: (endpoint: string, values?: Record<string, unknown>, options?: UrlForOptions) => {
      const [params, flaskOptions] = splitUrlOptions(withoutKeywordsMark(values));
      return req.urlFor(endpoint, params, options ?? flaskOptions);
    },
    getFlashedMessages: (options?: Record<string, unknown>) =>
      req.getFlashedMessages(withoutKeywordsMark(options) as FlashOptions | undefined),
  };
}

/** Flask's `url_for(..., _external=True, _scheme=..., _anchor=...)` keyword arguments, as options. */
function splitUrlOptions(
  values: Record<string, unknown> | undefined,
): [Record<string, unknown> | undefined, UrlForOptions | undefined] {
  if (values === undefined) return [undefined, undefined];
  const { _external, _scheme, _anchor, ...params } = values;
  if (_external === undefined && _scheme === undefined && _anchor === undefined) {
    return [values, undefined];
  }
  const options: UrlForOptions = {
    ...(_external === undefined ? {} : { external: Boolean(_external) }),
    ...(_scheme === undefined ? {} : { scheme: String(_scheme) }),
    ...(_anchor === undefined ? {} : { anchor: String(_anchor) }),
  };
  return [params, options];
}

/** nunjucks marks keyword arguments with `__keywords`; the functions behind them must not see it. */
function withoutKeywordsMark(
  values: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (values === undefined || !Object.hasOwn(values, "__keywords")) return values;
  const { __keywords: _, ...rest } = values;
  return rest;
}

/**
 * Renders a template from the app's template folders for the current request (Flask's
 * `render_template`); `context` wins over the globals of the same name. Needs
 * `new Phial({ contextLocals: true })`; otherwise use `req.renderTemplate()`.
 *
 * @example
 * ```ts
 * import { renderTemplate } from "phial";
 * app.get("/", () => renderTemplate("index.html", { posts: listPosts() }));
 * ```
 */
export function renderTemplate(name: string, context?: TemplateContext): string {
  return currentRequest("`renderTemplate()`").renderTemplate(name, context);
}

/**
 * Renders a template given as a string for the current request (Flask's
 * `render_template_string`). Needs `new Phial({ contextLocals: true })`; otherwise use
 * `req.renderTemplateString()`.
 *
 * @example
 * ```ts
 * import { renderTemplateString } from "phial";
 * app.get("/hi/<name>", (req) => renderTemplateString("Hi {{ name }}!", { name: req.params.name }));
 * ```
 */
export function renderTemplateString(source: string, context?: TemplateContext): string {
  return currentRequest("`renderTemplateString()`").renderTemplateString(source, context);
}
