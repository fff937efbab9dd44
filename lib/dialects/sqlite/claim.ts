import type { ClaimRequest } from '../dialect.js';
import type { SqlExecutor } from '../sql-executor.js';
import { marks, type Tables } from '../tables.js';
import type { ClaimedTask } from '../task-row.js';

interface Row {
  id: number;
  queue: string;
  name: string;
  payload: string | null;
  attempts: number;
  max_attempts: number;
  timeout_ms: number | null;
}

/**
 * A single UPDATE … RETURNING: SQLite takes the write lock when the statement starts, so
 * the select-and-mark is atomic across processes sharing the file.
 */
export async function claimTasks(exec: SqlExecutor, t: Tables, req: ClaimRequest): Promise<ClaimedTask[]> {
  const now = Date.now();
  const sql =
    `UPDATE ${t.task} SET status = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?, started_at = ? ` +
    `WHERE id IN (SELECT id FROM ${t.task} WHERE status = 'pending' AND queue = ? AND run_at <= ? AND name IN (${marks(req.names.length)}) ` +
    `ORDER BY priority DESC, run_at, id LIMIT ?) ` +
    'RETURNING id, queue, name, payload, attempts, max_attempts, timeout_ms';
  const rows = await exec.all<Row>(sql, [req.workerId, now + req.leaseMs, now, req.queue, now, ...req.names, req.limit]);
  return rows
    .map((r) => ({ id: Number(r.id), queue: r.queue, name: r.name, payload: r.payload, attempts: r.attempts, maxAttempts: r.max_attempts, timeoutMs: r.timeout_ms }))
    .sort((a, b) => a.id - b.id);
}
