/**
 * The default body of an error response: a small HTML page for browsers, a JSON object for
 * clients that prefer JSON. Everything echoed is escaped, every page says `nosniff`.
 */
import { type HTTPError, NotFound } from "./errors.ts";
import { escapeHtml } from "./internal/escape.ts";
import { Response } from "./response.ts";
import { textLines } from "./response-write.ts";

/**
 * Options of {@link errorResponse}.
 *
 * @example
 * ```ts
 * const options: ErrorPageOptions = { json: prefersJson(req.headers.accept) };
 * ```
 */
export interface ErrorPageOptions {
  /** Answer with JSON instead of HTML (the dispatcher asks `prefersJson(Accept)`). */
  json: boolean;
  /** Extra detail, such as a stack trace; only pass it when `debug` is on. */
  debugDetail?: string;
}

/**
 * The default response for an HTTP error: its status, its headers (e.g. `Allow` on a 405),
 * `X-Content-Type-Options: nosniff`, and either an HTML page (`<title>404 Not Found</title>`,
 * the title as `<h1>`, the description as `<p>`) or JSON
 * `{ "error": { "status", "code", "title", "description", "detail"? } }`. Headers of the error
 * that are not valid HTTP headers are left out rather than thrown, because this is the last
 * fallback and must always produce an answer.
 *
 * @example
 * ```ts
 * errorResponse(new NotFound(), { json: false });  // 404, text/html page
 * errorResponse(new NotFound(), { json: true });   // 404, {"error":{"status":404,"code":"not_found",...}}
 * ```
 */
export function errorResponse(error: HTTPError, options: ErrorPageOptions): Response {
  const { status, code, title, description } = error;
  const detail = options.debugDetail;
  let body: string;
  let type: string;
  if (options.json) {
    const payload: Record<string, string | number> = { status, code, title, description };
    if (detail !== undefined) payload.detail = detail;
    body = JSON.stringify({ error: payload });
    type = "application/json";
  } else {
    body = htmlPage(status, title, description, detail);
    type = "text/html; charset=utf-8";
  }
  const response = new Response(body, { status });
  keepErrorHeaders(response, error);
  // Set after the error's headers so the body we built is always described truthfully.
  response.headers.set("Content-Type", type);
  response.headers.set("X-Content-Type-Options", "nosniff");
  return response;
}

function htmlPage(status: number, title: string, description: string, detail?: string): string {
  const t = escapeHtml(title);
  const extra = detail === undefined ? "" : `<pre>${escapeHtml(detail)}</pre>\n`;
  return (
    '<!doctype html>\n<html lang="en">\n<meta charset="utf-8">\n' +
    `<title>${status} ${t}</title>\n<h1>${t}</h1>\n<p>${escapeHtml(description)}</p>\n${extra}`
  );
}

/**
 * A handler's answer to an error keeps the headers the status requires (`Allow` on a 405,
 * `WWW-Authenticate` on a 401) unless it set them itself.
 *
 * @example
 * ```ts
 * keepErrorHeaders(toResponse(value, endpoint, 405), err); // keeps err's Allow
 * ```
 */
export function keepErrorHeaders(response: Response, error: HTTPError): void {
  for (const [name, value] of Object.entries(error.headers)) {
    if (response.headers.has(name)) continue;
    try {
      response.headers.set(name, value);
    } catch {
      // An invalid header on the error is dropped: it must not stop the answer itself.
    }
  }
}

/**
 * An error as shown on a debug page: its stack, or its name and message, or its string form.
 *
 * @example
 * ```ts
 * describeError(new Error("boom")); // "Error: boom\n    at ..."
 * ```
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/** A prebuilt error page: its header lines without framing, and its body. */
export interface FixedPage {
  readonly lines: readonly string[];
  readonly body: string;
}

/**
 * The default 404 page, built once: the dispatcher writes it as it is when no hook or error
 * handler could change it.
 *
 * @example
 * ```ts
 * const page = prebuiltNotFound(false); // page.lines: ["Content-Type", "text/html; charset=utf-8", ...]
 * ```
 */
export function prebuiltNotFound(json: boolean): FixedPage {
  return prebuiltPage(new NotFound(), json);
}

/**
 * The default page of any error, built once, for answers written without the lifecycle.
 *
 * @example
 * ```ts
 * const page = prebuiltPage(new ServiceUnavailable("Shutting down."), true);
 * ```
 */
export function prebuiltPage(error: HTTPError, json: boolean): FixedPage {
  const response = errorResponse(error, { json });
  return { lines: textLines(response), body: response.body as string };
}
