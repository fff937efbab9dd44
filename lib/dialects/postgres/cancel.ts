import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { CancelResult, TaskRow } from '../task-row.js';

/** PostgreSQL version of `sqlite/cancel.ts`: pending ⇒ cancelled now; running ⇒ cancel_requested. */
export async function cancelTask(exec: SqlExecutor, t: Tables, id: number, reason: string): Promise<CancelResult | undefined> {
  const pending = await exec.all<TaskRow>(
    `UPDATE ${t.task} SET status = 'cancelled', finished_at = now(), last_error = $2, unique_key = NULL WHERE id = $1 AND status = 'pending' RETURNING *`,
    [id, reason],
  );
  if (pending[0]) return { row: pending[0], action: 'cancelled' };
  const running = await exec.all<TaskRow>(`UPDATE ${t.task} SET cancel_requested = true WHERE id = $1 AND status = 'running' RETURNING *`, [id]);
  if (running[0]) return { row: running[0], action: 'requested' };
  const row = (await exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE id = $1`, [id]))[0];
  return row && { row, action: 'none' };
}
