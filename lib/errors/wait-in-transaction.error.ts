import { AsyncRunnerError } from './async-runner.error.js';

/**
 * Thrown by `TaskQueue.waitFor()` called inside an open transaction on SQLite for a task that
 * has not finished: the runner writes through the one connection that transaction holds, so
 * the task could not finish before the transaction ends and the wait would only time out.
 */
export class WaitInTransactionError extends AsyncRunnerError {
  constructor(
    readonly taskId: number,
    /** The task's status as read inside the transaction. */
    readonly status: string,
  ) {
    super(
      `waitFor(${taskId}) inside an open SQLite transaction: the task is ${status} and cannot finish until that transaction ends ` +
        '(the runner writes through the same connection). Wait after the transaction commits.',
    );
  }
}
