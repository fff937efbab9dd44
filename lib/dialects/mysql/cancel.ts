import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { CancelResult, TaskRow } from '../task-row.js';

/**
 * MySQL/MariaDB version of `sqlite/cancel.ts`. No UPDATE … RETURNING here, so each update is
 * followed by a read of the row.
 */
export async function cancelTask(exec: SqlExecutor, t: Tables, id: number, reason: string): Promise<CancelResult | undefined> {
  const pending = await exec.run(
    `UPDATE ${t.task} SET status = 'cancelled', finished_at = UTC_TIMESTAMP(3), last_error = ?, unique_key = NULL WHERE id = ? AND status = 'pending'`,
    [reason, id],
  );
  const requested = pending.affected === 0 ? await exec.run(`UPDATE ${t.task} SET cancel_requested = 1 WHERE id = ? AND status = 'running'`, [id]) : undefined;
  const row = (await exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE id = ?`, [id]))[0];
  const action = pending.affected > 0 ? 'cancelled' : requested && requested.affected > 0 ? 'requested' : 'none';
  return row && { row, action };
}
