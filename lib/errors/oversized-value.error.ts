import { AsyncRunnerError } from './async-runner.error.js';

/** Thrown when a serialised payload, result or error exceeds its configured byte limit. */
export class OversizedValueError extends AsyncRunnerError {
  constructor(
    /** Which value: `payload`, `result` or `progress`. */
    readonly what: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`Task ${what} is ${bytes} bytes as JSON, over the limit of ${limit} bytes (option maxPayloadBytes).`);
  }
}
