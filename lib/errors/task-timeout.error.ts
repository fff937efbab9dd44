import { AsyncRunnerError } from './async-runner.error.js';

/** Abort reason of `ctx.signal` (and the recorded error) when an attempt exceeds its time limit. */
export class TaskTimeoutError extends AsyncRunnerError {
  constructor(readonly timeoutMs: number) {
    super(`Task attempt timed out after ${timeoutMs} ms.`);
  }
}
