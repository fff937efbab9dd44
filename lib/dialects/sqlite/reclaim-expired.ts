import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';

/**
 * Running tasks whose lease passed go back to pending, or to failed when that was their last
 * attempt, with an error naming the worker that lost the lease. Nothing stays running unowned.
 */
export async function reclaimExpired(exec: SqlExecutor, t: Tables): Promise<number> {
  const now = Date.now();
  // A read first: the UPDATE would wait for the write lock (blocking the event loop) even with nothing to take back.
  if ((await exec.all(`SELECT 1 FROM ${t.task} WHERE status = 'running' AND locked_until < ? LIMIT 1`, [now])).length === 0) return 0;
  const last = 'attempts >= max_attempts';
  // A task whose cancel was requested before its worker vanished ends cancelled, not retried.
  const ends = `cancel_requested = 1 OR ${last}`;
  const res = await exec.run(
    `UPDATE ${t.task} SET ` +
      `status = CASE WHEN cancel_requested = 1 THEN 'cancelled' WHEN ${last} THEN 'failed' ELSE 'pending' END, ` +
      `last_error = 'Lease lost: worker ' || COALESCE(locked_by, '?') || ' stopped renewing its lease (process died, froze or lost its database connection) during attempt ' || attempts || '.', ` +
      `finished_at = CASE WHEN ${ends} THEN ? ELSE NULL END, ` +
      `unique_key = CASE WHEN ${ends} THEN NULL ELSE unique_key END, ` +
      `run_at = ?, locked_by = NULL, locked_until = NULL ` +
      `WHERE status = 'running' AND locked_until < ?`,
    [now, now, now],
  );
  return res.affected;
}
