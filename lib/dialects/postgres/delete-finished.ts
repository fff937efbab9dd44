import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { FinishedStatus } from '../task-row.js';

/** PostgreSQL version of `sqlite/delete-finished.ts`: one bounded batch, finished rows only (ids by primary key, as in the claim). */
export async function deleteFinished(exec: SqlExecutor, t: Tables, status: FinishedStatus, olderThanMs: number, limit: number): Promise<number> {
  const res = await exec.run(
    `DELETE FROM ${t.task} WHERE id = ANY(ARRAY(SELECT id FROM ${t.task} WHERE status = $1 AND status IN ('succeeded', 'failed', 'cancelled') ` +
      "AND finished_at < now() - $2::bigint * interval '1 millisecond' ORDER BY finished_at LIMIT $3))",
    [status, olderThanMs, limit],
  );
  return res.affected;
}
