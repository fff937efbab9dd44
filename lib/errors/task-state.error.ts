import { AsyncRunnerError } from './async-runner.error.js';

/** Thrown by `cancel()` / `retry()` when the task's status does not allow the operation. */
export class TaskStateError extends AsyncRunnerError {
  constructor(
    readonly taskId: number,
    /** The task's status when the operation was refused. */
    readonly status: string,
    /** `cancel` or `retry`. */
    readonly operation: 'cancel' | 'retry',
  ) {
    super(
      `Cannot ${operation} task ${taskId}: it is ${status}. ` +
        (operation === 'retry' ? 'Only failed or cancelled tasks can be retried.' : 'Only pending or running tasks can be cancelled.'),
    );
  }
}
