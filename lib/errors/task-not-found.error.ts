import { AsyncRunnerError } from './async-runner.error.js';

/** Thrown by queue operations that need an existing task id. */
export class TaskNotFoundError extends AsyncRunnerError {
  constructor(readonly taskId: number) {
    super(`Task ${taskId} does not exist.`);
  }
}
