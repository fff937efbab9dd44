import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { CancelResult, TaskRow } from '../task-row.js';

/**
 * A pending task becomes `cancelled` at once (and frees its unique key); a running one gets
 * `cancel_requested`, which its runner sees at the next lease renewal, in any process.
 * Returns the row after the change (or as it is when it was already finished).
 */
export async function cancelTask(exec: SqlExecutor, t: Tables, id: number, reason: string): Promise<CancelResult | undefined> {
  const pending = await exec.all<TaskRow>(
    `UPDATE ${t.task} SET status = 'cancelled', finished_at = ?, last_error = ?, unique_key = NULL WHERE id = ? AND status = 'pending' RETURNING *`,
    [Date.now(), reason, id],
  );
  if (pending[0]) return { row: pending[0], action: 'cancelled' };
  const running = await exec.all<TaskRow>(`UPDATE ${t.task} SET cancel_requested = 1 WHERE id = ? AND status = 'running' RETURNING *`, [id]);
  if (running[0]) return { row: running[0], action: 'requested' };
  const row = (await exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE id = ?`, [id]))[0];
  return row && { row, action: 'none' };
}
