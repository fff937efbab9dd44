import type { SqlExecutor } from '../sql-executor.js';
import { toBool } from '../row-values.js';
import { chunks, marks, type Tables } from '../tables.js';
import { NOW_PLUS } from './clock.js';

/**
 * Extends this worker's leases from the database clock, then reads back which rows it still
 * holds (MySQL cannot return them from the UPDATE) and which were asked to cancel.
 */
export async function renewLeases(exec: SqlExecutor, t: Tables, workerId: string, ids: readonly number[], leaseMs: number) {
  const held: number[] = [];
  const cancelRequested: number[] = [];
  for (const chunk of chunks([...ids].sort((a, b) => a - b), 1000)) {
    const where = `locked_by = ? AND status = 'running' AND id IN (${marks(chunk.length)})`;
    await exec.run(`UPDATE ${t.task} SET locked_until = ${NOW_PLUS} WHERE ${where}`, [leaseMs * 1000, workerId, ...chunk]);
    const rows = await exec.all<{ id: string | number; cancel_requested: unknown }>(`SELECT id, cancel_requested FROM ${t.task} WHERE ${where}`, [workerId, ...chunk]);
    for (const r of rows) {
      held.push(Number(r.id));
      if (toBool(r.cancel_requested)) cancelRequested.push(Number(r.id));
    }
  }
  return { held, cancelRequested };
}
