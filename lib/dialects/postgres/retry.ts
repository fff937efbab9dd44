import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { TaskRow } from '../task-row.js';

/** PostgreSQL version of `sqlite/retry.ts`. */
export async function retryTask(exec: SqlExecutor, t: Tables, id: number): Promise<TaskRow | undefined> {
  const rows = await exec.all<TaskRow>(
    `UPDATE ${t.task} SET status = 'pending', attempts = 0, run_at = now(), finished_at = NULL, result = NULL, progress = NULL, ` +
      `cancel_requested = false, locked_by = NULL, locked_until = NULL WHERE id = $1 AND status IN ('failed', 'cancelled') RETURNING *`,
    [id],
  );
  return rows[0];
}
