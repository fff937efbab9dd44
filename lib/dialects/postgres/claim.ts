import type { ClaimRequest } from '../dialect.js';
import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { ClaimedTask } from '../task-row.js';
import { nowPlusMs, PgParams } from './params.js';

interface Row {
  id: string | number;
  queue: string;
  name: string;
  payload: string | null;
  attempts: number;
  max_attempts: number;
  timeout_ms: number | null;
}

/**
 * One statement: the inner SELECT locks due rows and skips rows another worker is claiming
 * right now, so concurrent claims never wait on each other and never take the same row.
 * Due-ness and the lease use the database clock, so drifting hosts agree.
 */
export async function claimTasks(exec: SqlExecutor, t: Tables, req: ClaimRequest): Promise<ClaimedTask[]> {
  const p = new PgParams();
  const sql =
    `UPDATE ${t.task} SET status = 'running', attempts = attempts + 1, locked_by = ${p.add(req.workerId)}, ` +
    `locked_until = ${nowPlusMs(p, req.leaseMs)}, started_at = now() ` +
    `WHERE id IN (SELECT id FROM ${t.task} WHERE status = 'pending' AND queue = ${p.add(req.queue)} AND run_at <= now() ` +
    `AND name = ANY(${p.add(req.names, 'text[]')}) ORDER BY priority DESC, run_at, id LIMIT ${p.add(req.limit, 'int')} FOR UPDATE SKIP LOCKED) ` +
    'RETURNING id, queue, name, payload, attempts, max_attempts, timeout_ms';
  const rows = await exec.all<Row>(sql, p.values);
  return rows
    .map((r) => ({ id: Number(r.id), queue: r.queue, name: r.name, payload: r.payload, attempts: r.attempts, maxAttempts: r.max_attempts, timeoutMs: r.timeout_ms }))
    .sort((a, b) => a.id - b.id);
}
