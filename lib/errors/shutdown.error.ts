import { AsyncRunnerError } from './async-runner.error.js';

/** Abort reason of `ctx.signal` when the runner's graceful stop runs out of time. */
export class ShutdownError extends AsyncRunnerError {
  constructor(timeoutMs: number) {
    super(`Runner stopped; the handler did not finish within shutdownTimeoutMs (${timeoutMs} ms).`);
  }
}
