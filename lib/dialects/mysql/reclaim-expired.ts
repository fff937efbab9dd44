import type { SqlExecutor } from '../sql-executor.js';
import { marks, type Tables } from '../tables.js';
import { NOW } from './clock.js';

/**
 * Running tasks whose lease passed (by the database clock) go back to pending, or to failed
 * when that was their last attempt, with an error naming the worker that lost the lease.
 * Rows locked by a live worker's write are skipped until the next sweep. MySQL applies SET
 * assignments left to right, so `locked_by` is cleared only after the message has used it.
 */
export async function reclaimExpired(exec: SqlExecutor, t: Tables): Promise<number> {
  return exec.transaction(async (ctx) => {
    const expired = await exec.all<{ id: string | number }>(
      `SELECT id FROM ${t.task} WHERE status = 'running' AND locked_until < ${NOW} ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED`,
      [],
      ctx,
    );
    if (expired.length === 0) return 0;
    const ids = expired.map((r) => Number(r.id));
    const last = 'attempts >= max_attempts';
    // A task whose cancel was requested before its worker vanished ends cancelled, not retried.
    const ends = `cancel_requested = 1 OR ${last}`;
    const res = await exec.run(
      `UPDATE ${t.task} SET ` +
        `status = CASE WHEN cancel_requested = 1 THEN 'cancelled' WHEN ${last} THEN 'failed' ELSE 'pending' END, ` +
        `last_error = CONCAT('Lease lost: worker ', COALESCE(locked_by, '?'), ' stopped renewing its lease (process died, froze or lost its database connection) during attempt ', attempts, '.'), ` +
        `finished_at = CASE WHEN ${ends} THEN ${NOW} ELSE NULL END, ` +
        `unique_key = CASE WHEN ${ends} THEN NULL ELSE unique_key END, ` +
        `run_at = ${NOW}, locked_by = NULL, locked_until = NULL ` +
        `WHERE id IN (${marks(ids.length)})`,
      ids,
      ctx,
    );
    return res.affected;
  });
}
