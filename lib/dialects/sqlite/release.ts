import { ID_LIST, idList } from './id-list.js';
import type { SqlExecutor } from '../sql-executor.js';
import { chunks, type Tables } from '../tables.js';
import { byAttempt, type HeldTask } from '../by-attempt.js';

/**
 * Hands back tasks this worker claimed ahead (prefetched) but never started: pending again,
 * the claim's attempt given back. A task whose cancel was requested meanwhile ends cancelled.
 */
export async function releaseTasks(exec: SqlExecutor, t: Tables, workerId: string, tasks: readonly HeldTask[], cancelReason: string): Promise<number> {
  let released = 0;
  for (const [attempt, ids] of byAttempt(tasks)) for (const chunk of chunks(ids, 500)) {
    const res = await exec.run(
      `UPDATE ${t.task} SET status = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE 'pending' END, attempts = attempts - 1, ` +
        `last_error = CASE WHEN cancel_requested = 1 THEN ? ELSE last_error END, finished_at = CASE WHEN cancel_requested = 1 THEN ? ELSE NULL END, ` +
        `unique_key = CASE WHEN cancel_requested = 1 THEN NULL ELSE unique_key END, locked_by = NULL, locked_until = NULL, started_at = NULL ` +
        `WHERE locked_by = ? AND status = 'running' AND attempts = ? AND id IN (${ID_LIST})`,
      [cancelReason, Date.now(), workerId, attempt, idList(chunk)],
    );
    released += res.affected;
  }
  return released;
}
