import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';

/**
 * Running tasks whose lease passed (by the database clock) go back to pending, to failed
 * when that was their last attempt, or to cancelled when a cancel was requested, with an error naming the worker that lost the lease.
 * SKIP LOCKED leaves rows a live worker is writing right now to the next sweep; the ids are
 * looked up by primary key (see the claim for why not `IN (…)`).
 */
export async function reclaimExpired(exec: SqlExecutor, t: Tables): Promise<number> {
  const last = 'attempts >= max_attempts';
  // A task whose cancel was requested before its worker vanished ends cancelled, not retried.
  const ends = `cancel_requested OR ${last}`;
  const rows = await exec.all(
    `UPDATE ${t.task} SET ` +
      `status = CASE WHEN cancel_requested THEN 'cancelled' WHEN ${last} THEN 'failed' ELSE 'pending' END, ` +
      `last_error = 'Lease lost: worker ' || COALESCE(locked_by, '?') || ' stopped renewing its lease (process died, froze or lost its database connection) during attempt ' || attempts || '.', ` +
      `finished_at = CASE WHEN ${ends} THEN now() ELSE NULL END, ` +
      `unique_key = CASE WHEN ${ends} THEN NULL ELSE unique_key END, ` +
      `run_at = now(), locked_by = NULL, locked_until = NULL ` +
      `WHERE id = ANY(ARRAY(SELECT id FROM ${t.task} WHERE status = 'running' AND locked_until < now() ORDER BY id FOR UPDATE SKIP LOCKED)) RETURNING id`,
  );
  return rows.length;
}
