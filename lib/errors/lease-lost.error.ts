import { AsyncRunnerError } from './async-runner.error.js';

/** Abort reason of `ctx.signal` when this worker no longer holds the task's lease. */
export class LeaseLostError extends AsyncRunnerError {
  constructor(workerId: string) {
    super(`Worker ${workerId} no longer holds the lease of this task (another runner took it back, or no renewal could confirm it); this attempt's result will not be written.`);
  }
}
