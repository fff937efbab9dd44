import type { SqlExecutor } from '../sql-executor.js';
import { toBool } from '../row-values.js';
import { chunks, type Tables } from '../tables.js';
import { nowPlusMs, PgParams } from './params.js';

/** Extends this worker's leases from the database clock; reports which it still holds and which were asked to cancel. */
export async function renewLeases(exec: SqlExecutor, t: Tables, workerId: string, ids: readonly number[], leaseMs: number) {
  const held: number[] = [];
  const cancelRequested: number[] = [];
  for (const chunk of chunks([...ids].sort((a, b) => a - b), 1000)) {
    const p = new PgParams();
    const rows = await exec.all<{ id: string | number; cancel_requested: unknown }>(
      `UPDATE ${t.task} SET locked_until = ${nowPlusMs(p, leaseMs)} WHERE locked_by = ${p.add(workerId)} AND status = 'running' ` +
        `AND id = ANY(${p.add(chunk, 'bigint[]')}) RETURNING id, cancel_requested`,
      p.values,
    );
    for (const r of rows) {
      held.push(Number(r.id));
      if (toBool(r.cancel_requested)) cancelRequested.push(Number(r.id));
    }
  }
  return { held, cancelRequested };
}
