import { ID_LIST, idList } from './id-list.js';
import type { SqlExecutor } from '../sql-executor.js';
import { chunks, type Tables } from '../tables.js';
import { toBool } from '../row-values.js';

/** Extends this worker's leases; reports which it still holds and which were asked to cancel. */
export async function renewLeases(exec: SqlExecutor, t: Tables, workerId: string, ids: readonly number[], leaseMs: number) {
  const held: number[] = [];
  const cancelRequested: number[] = [];
  for (const chunk of chunks(ids, 500)) {
    const rows = await exec.all<{ id: number; cancel_requested: unknown }>(
      `UPDATE ${t.task} SET locked_until = ? WHERE locked_by = ? AND status = 'running' AND id IN (${ID_LIST}) RETURNING id, cancel_requested`,
      [Date.now() + leaseMs, workerId, idList(chunk)],
    );
    for (const r of rows) {
      held.push(Number(r.id));
      if (toBool(r.cancel_requested)) cancelRequested.push(Number(r.id));
    }
  }
  return { held, cancelRequested };
}
