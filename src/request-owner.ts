/**
 * What a request needs from its app, as interfaces, so request.ts stays below app.ts and
 * templates.ts: the owner's config, logger, session interface, URL building and templates.
 */
import type { Config } from "./config.ts";
import type { TrustFn } from "./internal/proxy.ts";
import type { PhialLogger } from "./logger.ts";
import type { Request } from "./request.ts";
import type { Response } from "./response.ts";
import type { SessionInterface } from "./sessions.ts";

/** What a request needs from its app; an interface so this file stays below `app.ts`. */
export interface RequestOwner {
  readonly config: Config;
  readonly logger: PhialLogger;
  /** Opens and saves sessions; `null` for none. */
  readonly sessionInterface: SessionInterface | null;
  urlFor(endpoint: string, values?: Readonly<Record<string, unknown>>): string;
  /** The app's template engine (`templates.ts`); optional so bare owners in tests need none. */
  readonly templates?: TemplateRenderer;
  /** Which proxies' `X-Forwarded-*` headers to believe (`config.trustProxy`); none when absent. */
  readonly proxyTrust?: TrustFn;
}

/** A template file by name, or a template's source. @example `const ref: TemplateRef = { name: "index.html" }` */
export type TemplateRef =
  | {
      /** The template's file name, looked up in the template folders. */
      readonly name: string;
    }
  | {
      /** The template's source text. */
      readonly source: string;
    };

/** What renders templates for a request: `app.templates`. @example `app.templates.render(req, { source: "{{ 1 + 1 }}" })` */
export interface TemplateRenderer {
  /** Renders `template` for `req` with `context`, as {@link Templates.render} does. */
  render(
    req: Request<unknown>,
    template: TemplateRef,
    context?: Readonly<Record<string, unknown>>,
  ): string;
}

/** A function run on the response of one request, before the app's `afterRequest` hooks. @example `req.afterThisRequest((res) => res.setCookie("seen", "1"))` */
export type AfterThisRequest = (
  response: Response,
) => Response | undefined | Promise<Response | undefined>;
