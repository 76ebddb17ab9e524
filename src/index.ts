/**
 * The framework: the app class, blueprints, request and response, errors, sessions, templates,
 * static files and logging. Start with {@link Phial}.
 *
 * @module phial
 */
export type {
  CloseOptions,
  ListenOptions,
  PhialOptions,
  RuleInfo,
  ServerTimeouts,
} from "./app.ts";
export { currentApp, Phial } from "./app.ts";
export type { BlueprintOptions, RegisterBlueprintOptions } from "./blueprint.ts";
export { Blueprint } from "./blueprint.ts";
export type { MediaType } from "./body.ts";
export type { ConfigFields, ConfigInit, TrustProxy } from "./config.ts";
export { Config, defaultConfig } from "./config.ts";
export {
  ContextError,
  currentRequest,
  flash,
  g,
  getFlashedMessages,
  request,
  session,
  urlFor,
} from "./context.ts";
export type { HTTPErrorClass, HTTPErrorOptions } from "./errors.ts";
export {
  abort,
  BadGateway,
  BadRequest,
  BuildError,
  ConfigError,
  Conflict,
  ContentTooLarge,
  ExpectationFailed,
  FailedDependency,
  Forbidden,
  GatewayTimeout,
  Gone,
  HTTPError,
  HTTPVersionNotSupported,
  ImATeapot,
  InternalServerError,
  LengthRequired,
  Locked,
  MethodNotAllowed,
  NotAcceptable,
  NotFound,
  NotImplemented,
  PhialError,
  PreconditionFailed,
  PreconditionRequired,
  RangeNotSatisfiable,
  RequestHeaderFieldsTooLarge,
  RequestTimeout,
  RouteDefinitionError,
  ServiceUnavailable,
  SetupError,
  TooManyRequests,
  Unauthorized,
  UnavailableForLegalReasons,
  UnprocessableContent,
  UnsupportedMediaType,
  URITooLong,
} from "./errors.ts";
export type { UrlForOptions } from "./external-url.ts";
export type { FlashedMessage, FlashOptions } from "./flash.ts";
export { HandlerTimeout } from "./handler-timeout.ts";
export { MultiDict } from "./internal/multidict.ts";
export { NunjucksMissing } from "./internal/nunjucks.ts";
export type { TrustFn } from "./internal/proxy.ts";
export type {
  LogFields,
  Logger,
  LogLevel,
  LogLevelSource,
  LogSink,
  PhialLoggerOptions,
  SinkStyle,
} from "./logger.ts";
export { consoleLogger, LOG_LEVELS, PhialLogger, resolveLogLevel } from "./logger.ts";
export type { AfterThisRequest, TemplateRef, TemplateRenderer } from "./request.ts";
export { Request } from "./request.ts";
export type { CookieOptions, HeadersInit, ResponseBody, ResponseInit } from "./response.ts";
export { Response, ResponseHeaders } from "./response.ts";
export type {
  Converter,
  ConverterArg,
  ConverterFactory,
  ConverterRegistry,
} from "./routing/converters.ts";
export type { ConverterTypes, PathParams } from "./routing/params.ts";
export { safeNext } from "./safe-next.ts";
export type {
  AfterRequestHook,
  BeforeRequestHook,
  ErrorClass,
  ErrorHandler,
  Handler,
  HTTPErrorLike,
  MethodRoute,
  MethodRouteOptions,
  ResponseValue,
  RouteDecorator,
  RouteOptions,
  TeardownHook,
} from "./scaffold.ts";
export type { Session } from "./session.ts";
export { NullSession } from "./session.ts";
export type { SessionApp, SessionInterface } from "./sessions.ts";
export { SecureCookieSessionInterface, TrackedSession } from "./sessions.ts";
export type { CloseOnSignalsOptions, SignalClose, SignalCloseResult } from "./shutdown.ts";
export type { SendFileOptions, SendFromDirectoryOptions } from "./static.ts";
export { sendFile, sendFromDirectory, staticFiles } from "./static.ts";
export type { TemplateContext, TemplatesOptions } from "./templates.ts";
export {
  renderTemplate,
  renderTemplateString,
  TemplateError,
  TemplateNotFound,
  Templates,
} from "./templates.ts";
export { jsonify, makeResponse, redirect } from "./to-response.ts";
export type { SaveOptions } from "./uploads.ts";
export { UploadedFile } from "./uploads.ts";
