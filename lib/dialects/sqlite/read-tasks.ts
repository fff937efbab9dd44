import { ID_LIST, idList } from './id-list.js';
import { toDate } from '../row-values.js';
import type { SqlExecutor } from '../sql-executor.js';
import { chunks, type Tables } from '../tables.js';
import type { TaskRow } from '../task-row.js';

export async function pendingAmong(exec: SqlExecutor, t: Tables, ids: readonly number[]): Promise<{ id: number; runAt: Date }[]> {
  const out: { id: number; runAt: Date }[] = [];
  for (const chunk of chunks(ids, 500)) {
    const rows = await exec.all<{ id: number; run_at: unknown }>(`SELECT id, run_at FROM ${t.task} WHERE status = 'pending' AND id IN (${ID_LIST})`, [idList(chunk)]);
    for (const r of rows) out.push({ id: Number(r.id), runAt: toDate(r.run_at)! });
  }
  return out;
}

export async function getRow(exec: SqlExecutor, t: Tables, id: number): Promise<TaskRow | undefined> {
  const rows = await exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE id = ?`, [id]);
  return rows[0];
}
