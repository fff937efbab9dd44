import { AsyncRunnerError } from './async-runner.error.js';

/** Abort reason of `ctx.signal` when `TaskQueue.cancel()` is called for a running task. */
export class TaskCancelledError extends AsyncRunnerError {
  constructor() {
    super('Task was cancelled.');
  }
}
