import type { ClaimRequest } from '../dialect.js';
import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { ClaimedTask } from '../task-row.js';
import { CLAIMED_COLUMNS, toClaimedTasks, type ClaimedRow } from '../claimed-row.js';
import { nowPlusMs, PgParams } from './params.js';


/**
 * One statement: the inner SELECT locks due rows and skips rows another worker is claiming
 * right now, so concurrent claims never wait on each other and never take the same row.
 * Due-ness and the lease use the database clock, so drifting hosts agree. `id = ANY(ARRAY(…))`
 * rather than `id IN (…)`: for claims of a few hundred rows the planner turned the IN into a
 * hash join over a sequential scan of the whole table (every retained finished row, on every
 * claim); the array form always looks the claimed ids up by primary key.
 */
export async function claimTasks(exec: SqlExecutor, t: Tables, req: ClaimRequest): Promise<ClaimedTask[]> {
  const p = new PgParams();
  const sql =
    `UPDATE ${t.task} SET status = 'running', attempts = attempts + 1, locked_by = ${p.add(req.workerId)}, ` +
    `locked_until = ${nowPlusMs(p, req.leaseMs)}, started_at = now() ` +
    `WHERE id = ANY(ARRAY(SELECT id FROM ${t.task} WHERE status = 'pending' AND queue = ${p.add(req.queue)} AND run_at <= now() ` +
    `AND name = ANY(${p.add(req.names, 'text[]')}) ORDER BY priority DESC, run_at, id LIMIT ${p.add(req.limit, 'int')} FOR UPDATE SKIP LOCKED)) ` +
    `RETURNING ${CLAIMED_COLUMNS}`;
  const rows = await exec.all<ClaimedRow>(sql, p.values);
  return toClaimedTasks(rows);
}
