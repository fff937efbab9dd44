import { AsyncRunnerError } from './async-runner.error.js';

/** Thrown when a task payload (or result) is not plain JSON; `path` names the bad value, e.g. `$.items[2].id`. */
export class InvalidPayloadError extends AsyncRunnerError {
  constructor(
    /** JSONPath-like location of the offending value. */
    readonly path: string,
    /** What is wrong with it. */
    readonly reason: string,
    /** Which value: `payload`, `result` or `progress` (so a bad handler result is not reported as a bad payload). */
    readonly what = 'payload',
    /** `cause`: what a getter, proxy trap or `toJSON` of the value threw, when that is why. */
    options?: ErrorOptions,
  ) {
    super(`Task ${what} is not plain JSON at ${path}: ${reason}`, options);
  }
}
