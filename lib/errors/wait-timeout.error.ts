import { AsyncRunnerError } from './async-runner.error.js';

/** Thrown by `TaskQueue.waitFor()` when the task has not finished within `timeoutMs`. */
export class WaitTimeoutError extends AsyncRunnerError {
  constructor(
    readonly taskId: number,
    readonly timeoutMs: number,
    /** The task's status as read when the wait gave up (undefined if that read failed before any other). */
    readonly lastStatus: string | undefined,
  ) {
    super(`Task ${taskId} did not finish within ${timeoutMs} ms${lastStatus ? ` (it is ${lastStatus})` : ''}.`);
  }
}
