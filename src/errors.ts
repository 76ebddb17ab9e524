import { DESCRIPTIONS, TITLES } from "./internal/status.ts";

/**
 * The error family. Every error phial throws carries an HTTP `status` and a stable,
 * machine-readable `code`, so handlers and clients can branch on something that does not change
 * when a message is reworded. This module does no I/O.
 */

/**
 * Base class of every error phial throws on purpose.
 *
 * @example
 * ```ts
 * try { app.urlFor("missing") } catch (e) { if (e instanceof PhialError) console.log(e.code) }
 * ```
 */
export class PhialError extends Error {
  /**
   * HTTP status of the error. An `HTTPError` answers with it; any other error that reaches a
   * client without an error handler answers 500.
   */
  readonly status: number;
  /** Stable identifier, snake_case; safe to match on. */
  readonly code: string;

  /**
   * Sets `name` to the class's own name, so a subclass need not.
   *
   * @param message What went wrong, for the developer.
   * @param status The `status` field (default 500).
   * @param code The stable identifier (default `"internal_error"`).
   * @param options `cause`, as for `Error`.
   */
  constructor(message: string, status = 500, code = "internal_error", options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
  }
}

/**
 * A route pattern or registration that cannot work, reported when it is registered.
 *
 * @example
 * ```ts
 * app.get("/users/<int:id", handler); // throws RouteDefinitionError: unclosed "<"
 * ```
 */
export class RouteDefinitionError extends PhialError {
  /** `message` says what is wrong with the route; the code is `"invalid_route"`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, 500, "invalid_route", options);
  }
}

/**
 * `urlFor` could not build a URL (unknown endpoint, missing or unconvertible parameter).
 *
 * @example
 * ```ts
 * app.urlFor("user", {}); // throws BuildError: missing parameter "id"
 * ```
 */
export class BuildError extends PhialError {
  /** `message` says why no URL could be built; the code is `"url_build_failed"`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, 500, "url_build_failed", options);
  }
}

/**
 * The app was used in a way its current state does not allow, such as registering a route after
 * it has served its first request.
 *
 * @example
 * ```ts
 * await client.get("/"); app.get("/late", h); // throws SetupError
 * ```
 */
export class SetupError extends PhialError {
  /** `options.code` names a misuse tools may branch on (default `"setup_error"`). */
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(message, 500, options?.code ?? "setup_error", options);
  }
}

/**
 * A configuration value phial cannot use, reported where it was read (the environment variable,
 * the file) or when the app starts. A {@link SetupError}, so existing `instanceof` checks hold.
 *
 * @example
 * ```ts
 * app.config.fromEnv(); // PHIAL_MAX_CONTENT_LENGTH=abc throws ConfigError (code "invalid_config")
 * ```
 */
export class ConfigError extends SetupError {
  // SetupError fixes its code; a distinct one lets tooling tell bad settings from misuse.
  override readonly code: string = "invalid_config";
}

/** Options for an {@link HTTPError}. @example `abort(429, "Slow down.", { headers: { "Retry-After": "30" } })` */
export interface HTTPErrorOptions extends ErrorOptions {
  /** Extra response headers, such as `Allow` for 405 or `Retry-After` for 503. */
  headers?: Record<string, string>;
}

/**
 * An error that is also an HTTP answer: throw it (or call {@link abort}) from a handler or hook
 * and the client receives its status with an HTML or JSON error page.
 *
 * @example
 * ```ts
 * app.get("/admin", () => { throw new HTTPError(403, "Admins only.") });
 * ```
 */
export class HTTPError extends PhialError {
  /** The reason phrase, e.g. `"Not Found"`. */
  readonly title: string;
  /** Text shown to the client on the error page; escaped when rendered. */
  readonly description: string;
  /** Headers the error response carries. */
  readonly headers: Record<string, string>;

  /**
   * Throws a `RangeError` unless `status` is a whole number from 400 to 599. The `title` and the
   * `code` come from the status (`http_<status>` for one phial has no name for).
   *
   * @param status The response status, 4xx or 5xx.
   * @param description Shown on the error page; defaults to the standard text for the status.
   * @param options Extra `headers` and a `cause`.
   */
  constructor(status: number, description?: string, options?: HTTPErrorOptions) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HTTPError needs a 4xx or 5xx status, got ${String(status)}.`);
    }
    const known = TITLES[status];
    const title = known ?? (status < 500 ? "Client Error" : "Server Error");
    const text = description ?? DESCRIPTIONS[status] ?? title;
    const code = known
      ? known.toLowerCase().replace("'", "").replaceAll(" ", "_")
      : `http_${status}`;
    super(text, status, code, options);
    this.title = title;
    this.description = text;
    this.headers = { ...options?.headers };
  }
}

/** A subclass of HTTPError fixed to one status; the constructor takes the description only. @example `const cls: HTTPErrorClass = NotFound; throw new cls("gone")` */
export type HTTPErrorClass = new (description?: string, options?: HTTPErrorOptions) => HTTPError;

/** 400: the request is malformed (bad JSON, bad percent-encoding, ...). @example `throw new BadRequest("id must be a number")` */
export class BadRequest extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 400. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(400, description, options);
  }
}

/** 401: authentication is needed. @example `throw new Unauthorized()` */
export class Unauthorized extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 401. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(401, description, options);
  }
}

/** 403: authenticated but not allowed. @example `throw new Forbidden()` */
export class Forbidden extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 403. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(403, description, options);
  }
}

/** 404: no route or resource. @example `throw new NotFound("No such user.")` */
export class NotFound extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 404. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(404, description, options);
  }
}

/** 405: the path exists but not for this method; carries `Allow`. @example `throw new MethodNotAllowed(undefined, { headers: { Allow: "GET" } })` */
export class MethodNotAllowed extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 405. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(405, description, options);
  }
}

/** 406 @example `throw new NotAcceptable()` */
export class NotAcceptable extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 406. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(406, description, options);
  }
}

/** 408 @example `throw new RequestTimeout()` */
export class RequestTimeout extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 408. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(408, description, options);
  }
}

/** 409 @example `throw new Conflict("Name taken.")` */
export class Conflict extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 409. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(409, description, options);
  }
}

/** 410 @example `throw new Gone()` */
export class Gone extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 410. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(410, description, options);
  }
}

/** 411 @example `throw new LengthRequired()` */
export class LengthRequired extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 411. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(411, description, options);
  }
}

/** 412 @example `throw new PreconditionFailed()` */
export class PreconditionFailed extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 412. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(412, description, options);
  }
}

/** 413: the body is over `maxContentLength`. @example `throw new ContentTooLarge()` */
export class ContentTooLarge extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 413. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(413, description, options);
  }
}

/** 414 @example `throw new URITooLong()` */
export class URITooLong extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 414. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(414, description, options);
  }
}

/** 415: the body's content type is not accepted. @example `throw new UnsupportedMediaType()` */
export class UnsupportedMediaType extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 415. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(415, description, options);
  }
}

/** 416 @example `throw new RangeNotSatisfiable()` */
export class RangeNotSatisfiable extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 416. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(416, description, options);
  }
}

/** 417 @example `throw new ExpectationFailed()` */
export class ExpectationFailed extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 417. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(417, description, options);
  }
}

/** 418 @example `throw new ImATeapot()` */
export class ImATeapot extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 418. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(418, description, options);
  }
}

/** 422: valid syntax, invalid content. @example `throw new UnprocessableContent("title is required")` */
export class UnprocessableContent extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 422. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(422, description, options);
  }
}

/** 423 @example `throw new Locked()` */
export class Locked extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 423. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(423, description, options);
  }
}

/** 424 @example `throw new FailedDependency()` */
export class FailedDependency extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 424. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(424, description, options);
  }
}

/** 428 @example `throw new PreconditionRequired()` */
export class PreconditionRequired extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 428. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(428, description, options);
  }
}

/** 429 @example `throw new TooManyRequests(undefined, { headers: { "Retry-After": "30" } })` */
export class TooManyRequests extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 429. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(429, description, options);
  }
}

/** 431 @example `throw new RequestHeaderFieldsTooLarge()` */
export class RequestHeaderFieldsTooLarge extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 431. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(431, description, options);
  }
}

/** 451 @example `throw new UnavailableForLegalReasons()` */
export class UnavailableForLegalReasons extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 451. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(451, description, options);
  }
}

/** 500: what an unhandled error becomes; `cause` holds the original. @example `throw new InternalServerError()` */
export class InternalServerError extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 500. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(500, description, options);
  }
}

/** 501 @example `throw new NotImplemented()` */
export class NotImplemented extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 501. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(501, description, options);
  }
}

/** 502 @example `throw new BadGateway()` */
export class BadGateway extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 502. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(502, description, options);
  }
}

/** 503 @example `throw new ServiceUnavailable()` */
export class ServiceUnavailable extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 503. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(503, description, options);
  }
}

/** 504 @example `throw new GatewayTimeout()` */
export class GatewayTimeout extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 504. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(504, description, options);
  }
}

/** 505 @example `throw new HTTPVersionNotSupported()` */
export class HTTPVersionNotSupported extends HTTPError {
  /** `description`, shown on the error page, defaults to the standard text for 505. */
  constructor(description?: string, options?: HTTPErrorOptions) {
    super(505, description, options);
  }
}

const CLASSES = new Map<number, HTTPErrorClass>(
  [
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    RequestTimeout,
    Conflict,
    Gone,
    LengthRequired,
    PreconditionFailed,
    ContentTooLarge,
    URITooLong,
    UnsupportedMediaType,
    RangeNotSatisfiable,
    ExpectationFailed,
    ImATeapot,
    UnprocessableContent,
    Locked,
    FailedDependency,
    PreconditionRequired,
    TooManyRequests,
    RequestHeaderFieldsTooLarge,
    UnavailableForLegalReasons,
    InternalServerError,
    NotImplemented,
    BadGateway,
    ServiceUnavailable,
    GatewayTimeout,
    HTTPVersionNotSupported,
  ].map((cls) => [new cls().status, cls]),
);

/**
 * The HTTPError subclass registered for a status, if phial defines one.
 *
 * @example
 * ```ts
 * errorClassFor(404) === NotFound; // true
 * ```
 */
export function errorClassFor(status: number): HTTPErrorClass | undefined {
  return CLASSES.get(status);
}

/**
 * Stops the request with an HTTP error, as Flask's `abort`. The thrown error is the subclass for
 * the status (so `errorHandler(NotFound, ...)` catches `abort(404)`).
 *
 * @example
 * ```ts
 * app.get("/users/<int:id>", (req) => users.get(req.params.id) ?? abort(404, "No such user."));
 * ```
 */
export function abort(status: number, description?: string, options?: HTTPErrorOptions): never {
  const cls = CLASSES.get(status);
  throw cls ? new cls(description, options) : new HTTPError(status, description, options);
}
