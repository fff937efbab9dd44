/**
 * Base class of every error this library throws on purpose, so callers can tell
 * "the runner refused this" from a database or handler failure with one `instanceof`.
 */
export class AsyncRunnerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
