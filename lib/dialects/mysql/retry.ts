import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { TaskRow } from '../task-row.js';

/** MySQL/MariaDB version of `sqlite/retry.ts` (update, then read the row back). */
export async function retryTask(exec: SqlExecutor, t: Tables, id: number): Promise<TaskRow | undefined> {
  const res = await exec.run(
    `UPDATE ${t.task} SET status = 'pending', attempts = 0, run_at = UTC_TIMESTAMP(3), finished_at = NULL, result = NULL, progress = NULL, ` +
      `cancel_requested = 0, locked_by = NULL, locked_until = NULL WHERE id = ? AND status IN ('failed', 'cancelled')`,
    [id],
  );
  if (res.affected === 0) return undefined;
  return (await exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE id = ?`, [id]))[0];
}
