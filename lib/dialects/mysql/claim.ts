import type { ClaimRequest } from '../dialect.js';
import type { SqlExecutor } from '../sql-executor.js';
import { marks, type Tables } from '../tables.js';
import type { ClaimedTask } from '../task-row.js';
import { CLAIMED_COLUMNS, toClaimedTasks, type ClaimedRow } from '../claimed-row.js';
import { NOW, NOW_PLUS } from './clock.js';


/**
 * MySQL has no UPDATE … RETURNING, so one transaction locks due rows with FOR UPDATE SKIP
 * LOCKED (rows another worker is claiming are skipped, not waited for), marks them, and reads
 * them back. Due-ness and the lease use the database clock.
 */
export async function claimTasks(exec: SqlExecutor, t: Tables, req: ClaimRequest): Promise<ClaimedTask[]> {
  return exec.transaction(async (ctx) => {
    const picked = await exec.all<{ id: string | number }>(
      `SELECT id FROM ${t.task} WHERE status = 'pending' AND queue = ? AND run_at <= ${NOW} AND name IN (${marks(req.names.length)}) ` +
        'ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED',
      [req.queue, ...req.names, req.limit],
      ctx,
    );
    if (picked.length === 0) return [];
    const ids = picked.map((r) => Number(r.id));
    await exec.run(
      `UPDATE ${t.task} SET status = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ${NOW_PLUS}, started_at = ${NOW} WHERE id IN (${marks(ids.length)})`,
      [req.workerId, req.leaseMs * 1000, ...ids],
      ctx,
    );
    const rows = await exec.all<ClaimedRow>(`SELECT ${CLAIMED_COLUMNS} FROM ${t.task} WHERE id IN (${marks(ids.length)})`, ids, ctx);
    return toClaimedTasks(rows);
  });
}
