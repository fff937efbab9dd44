import { toDate } from '../row-values.js';
import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { TaskRow } from '../task-row.js';

export async function pendingAmong(exec: SqlExecutor, t: Tables, ids: readonly number[]): Promise<{ id: number; runAt: Date }[]> {
  if (ids.length === 0) return [];
  const rows = await exec.all<{ id: string | number; run_at: unknown }>(`SELECT id, run_at FROM ${t.task} WHERE status = 'pending' AND id = ANY($1::bigint[])`, [ids]);
  return rows.map((r) => ({ id: Number(r.id), runAt: toDate(r.run_at)! }));
}

export async function getRow(exec: SqlExecutor, t: Tables, id: number): Promise<TaskRow | undefined> {
  const rows = await exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE id = $1`, [id]);
  return rows[0];
}
