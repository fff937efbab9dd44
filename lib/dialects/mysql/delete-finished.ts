import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { FinishedStatus } from '../task-row.js';

/** MySQL/MariaDB version of `sqlite/delete-finished.ts` (DELETE … ORDER BY … LIMIT is native here). */
export async function deleteFinished(exec: SqlExecutor, t: Tables, status: FinishedStatus, olderThanMs: number, limit: number): Promise<number> {
  const res = await exec.run(
    `DELETE FROM ${t.task} WHERE status = ? AND status IN ('succeeded', 'failed', 'cancelled') ` +
      'AND finished_at < UTC_TIMESTAMP(3) - INTERVAL ? MICROSECOND ORDER BY finished_at LIMIT ?',
    [status, olderThanMs * 1000, limit],
  );
  return res.affected;
}
