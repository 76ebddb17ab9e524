import { PhialError } from "../errors.ts";

/**
 * A failure the `phial` command reports as one line on stderr and an exit code, without a stack
 * unless `--debug` asks for it. `code` is stable so scripts and tests can match on it.
 *
 * @example
 * ```ts
 * throw new CliError("No such file: /srv/app.ts.", "module_not_found", 2);
 * ```
 */
export class CliError extends PhialError {
  /** The process exit code: 1 for failures, 2 for usage errors. */
  readonly exitCode: number;

  constructor(message: string, code: string, exitCode = 1, options?: ErrorOptions) {
    super(message, 500, code, options);
    this.exitCode = exitCode;
  }
}

/**
 * The command line itself is wrong (unknown command or option, bad value, missing argument):
 * exit code 2, as `flask` and most Unix tools do, and the message ends with where to get help.
 *
 * @example
 * ```ts
 * throw new UsageError("--port must be a whole number from 0 to 65535, got 'x'.", "phial run");
 * ```
 */
export class UsageError extends CliError {
  constructor(message: string, command = "phial", code = "usage_error") {
    super(`${message} Run '${command} --help' for usage.`, code, 2);
  }
}
