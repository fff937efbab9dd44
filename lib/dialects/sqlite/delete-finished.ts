import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { FinishedStatus } from '../task-row.js';

/**
 * Deletes at most `limit` tasks of one finished status whose `finished_at` is older than
 * `olderThanMs`; returns how many. The status list in the WHERE clause is a second guard:
 * pending and running rows are never touched whatever the caller passes.
 */
export async function deleteFinished(exec: SqlExecutor, t: Tables, status: FinishedStatus, olderThanMs: number, limit: number): Promise<number> {
  const before = Date.now() - olderThanMs;
  // A read first: the DELETE would wait for the write lock (blocking the event loop) even with nothing to delete.
  if ((await exec.all(`SELECT 1 FROM ${t.task} WHERE status = ? AND finished_at < ? LIMIT 1`, [status, before])).length === 0) return 0;
  const res = await exec.run(
    `DELETE FROM ${t.task} WHERE id IN (SELECT id FROM ${t.task} WHERE status = ? AND status IN ('succeeded', 'failed', 'cancelled') ` +
      'AND finished_at < ? ORDER BY finished_at LIMIT ?)',
    [status, before, limit],
  );
  return res.affected;
}
