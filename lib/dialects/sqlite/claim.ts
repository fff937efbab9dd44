import type { ClaimRequest } from '../dialect.js';
import type { SqlExecutor } from '../sql-executor.js';
import { marks, type Tables } from '../tables.js';
import type { ClaimedTask } from '../task-row.js';
import { CLAIMED_COLUMNS, toClaimedTasks, type ClaimedRow } from '../claimed-row.js';


/**
 * A single UPDATE … RETURNING: SQLite takes the write lock when the statement starts, so
 * the select-and-mark is atomic across processes sharing the file. It takes that lock even
 * when nothing is due, so a read (which WAL never blocks) looks first: better-sqlite3 is
 * synchronous, and an idle runner's poll waiting on another process's write lock froze the
 * whole event loop for up to the busy timeout.
 */
export async function claimTasks(exec: SqlExecutor, t: Tables, req: ClaimRequest): Promise<ClaimedTask[]> {
  const now = Date.now();
  const due = await exec.all(
    `SELECT 1 FROM ${t.task} WHERE status = 'pending' AND queue = ? AND run_at <= ? AND name IN (${marks(req.names.length)}) LIMIT 1`,
    [req.queue, now, ...req.names],
  );
  if (due.length === 0) return [];
  const sql =
    `UPDATE ${t.task} SET status = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?, started_at = ? ` +
    `WHERE id IN (SELECT id FROM ${t.task} WHERE status = 'pending' AND queue = ? AND run_at <= ? AND name IN (${marks(req.names.length)}) ` +
    `ORDER BY priority DESC, run_at, id LIMIT ?) ` +
    `RETURNING ${CLAIMED_COLUMNS}`;
  const rows = await exec.all<ClaimedRow>(sql, [req.workerId, now + req.leaseMs, now, req.queue, now, ...req.names, req.limit]);
  return toClaimedTasks(rows);
}
