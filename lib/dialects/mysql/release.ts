import type { SqlExecutor } from '../sql-executor.js';
import { chunks, marks, type Tables } from '../tables.js';
import { byAttempt, type HeldTask } from '../by-attempt.js';
import { NOW } from './clock.js';

/**
 * Hands back tasks this worker claimed ahead (prefetched) but never started: pending again,
 * the claim's attempt given back. A task whose cancel was requested meanwhile ends cancelled.
 * MySQL assigns SET columns left to right, so `status` (tested by the other columns) goes last.
 */
export async function releaseTasks(exec: SqlExecutor, t: Tables, workerId: string, tasks: readonly HeldTask[], cancelReason: string): Promise<number> {
  let released = 0;
  for (const [attempt, ids] of byAttempt(tasks)) for (const chunk of chunks(ids, 1000)) {
    const res = await exec.run(
      `UPDATE ${t.task} SET attempts = attempts - 1, ` +
        `last_error = CASE WHEN cancel_requested = 1 THEN ? ELSE last_error END, finished_at = CASE WHEN cancel_requested = 1 THEN ${NOW} ELSE NULL END, ` +
        `unique_key = CASE WHEN cancel_requested = 1 THEN NULL ELSE unique_key END, locked_by = NULL, locked_until = NULL, started_at = NULL, ` +
        `status = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE 'pending' END ` +
        `WHERE locked_by = ? AND status = 'running' AND attempts = ? AND id IN (${marks(chunk.length)})`,
      [cancelReason, workerId, attempt, ...chunk],
    );
    released += res.affected;
  }
  return released;
}
