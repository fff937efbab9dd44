import { AsyncRunnerError } from './async-runner.error.js';

/** Thrown at bootstrap when two `@TaskHandler` methods claim one task name. */
export class DuplicateHandlerError extends AsyncRunnerError {
  constructor(
    readonly taskName: string,
    readonly first: string,
    readonly second: string,
  ) {
    super(`Task "${taskName}" has two handlers: ${first} and ${second}. Each task name needs exactly one @TaskHandler.`);
  }
}
