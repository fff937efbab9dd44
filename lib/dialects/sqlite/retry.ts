import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { TaskRow } from '../task-row.js';

/**
 * Puts a failed or cancelled task back to pending with a fresh set of attempts, due now.
 * Returns the updated row, or undefined when the task is not failed or cancelled.
 */
export async function retryTask(exec: SqlExecutor, t: Tables, id: number): Promise<TaskRow | undefined> {
  const rows = await exec.all<TaskRow>(
    `UPDATE ${t.task} SET status = 'pending', attempts = 0, run_at = ?, finished_at = NULL, result = NULL, progress = NULL, ` +
      `cancel_requested = 0, locked_by = NULL, locked_until = NULL WHERE id = ? AND status IN ('failed', 'cancelled') RETURNING *`,
    [Date.now(), id],
  );
  return rows[0];
}
