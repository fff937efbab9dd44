import { AsyncRunnerError } from './async-runner.error.js';

/**
 * Thrown for an option value the runner cannot accept: module options at startup,
 * `@TaskHandler` options at discovery, or enqueue options per call.
 */
export class InvalidOptionError extends AsyncRunnerError {
  constructor(
    /** Dotted name of the option, e.g. `backoff.factor` or `maxAttempts`. */
    readonly option: string,
    /** What was accepted, e.g. `an integer from 1 to 1000`. */
    readonly expected: string,
    /** The value that was given. */
    readonly received: unknown,
    /** `cause`: what a getter of the option threw, when that is why. */
    options?: ErrorOptions,
  ) {
    super(`Invalid option "${option}": expected ${expected}, received ${describe(received)}.`, options);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'function') return 'a function';
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value !== null && typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return 'an object';
    }
  }
  return String(value);
}
