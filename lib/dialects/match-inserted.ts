import type { NewTask, TaskRow } from './task-row.js';

/**
 * Lines the rows an INSERT returned up with its input. Rows skipped because their unique key
 * is already open are answered with the open task, read by `openByKey`.
 */
export async function matchInserted(chunk: readonly NewTask[], rows: TaskRow[], openByKey: (keys: string[]) => Promise<TaskRow[]>): Promise<TaskRow[]> {
  if (rows.length === chunk.length) return rows.sort((a, b) => Number(a.id) - Number(b.id));
  const byKey = new Map(rows.filter((r) => r.unique_key != null).map((r) => [r.unique_key as string, r]));
  const missing = chunk.filter((c) => c.uniqueKey != null && !byKey.has(c.uniqueKey)).map((c) => c.uniqueKey as string);
  if (missing.length) {
    for (const r of await openByKey([...new Set(missing)])) byKey.set(r.unique_key as string, r);
  }
  const plain = rows.filter((r) => r.unique_key == null).sort((a, b) => Number(a.id) - Number(b.id));
  let i = 0;
  return chunk.map((c) => {
    const row = c.uniqueKey != null ? byKey.get(c.uniqueKey) : plain[i++];
    if (!row) throw new Error(`Task with unique key ${c.uniqueKey} finished while being enqueued; enqueue it again.`);
    return row;
  });
}
