import type { NewTask, TaskRow } from './task-row.js';

/** What an INSERT … RETURNING gives back for one row: only what the database decided. */
export interface InsertedRow {
  id: number | string;
  unique_key: string | null;
  /** Set where the database's clock decides them (PostgreSQL); absent where the insert bound them. */
  run_at?: unknown;
  created_at?: unknown;
}

/** The row a task was stored as: its input, plus the id and times the insert gave it. */
export function storedRow(task: NewTask, inserted: InsertedRow, runAt: unknown, createdAt: unknown): TaskRow {
  return {
    id: inserted.id,
    queue: task.queue,
    name: task.name,
    payload: task.payload,
    status: 'pending',
    priority: task.priority,
    run_at: runAt,
    attempts: 0,
    max_attempts: task.maxAttempts,
    timeout_ms: task.timeoutMs,
    last_error: null,
    result: null,
    progress: null,
    unique_key: inserted.unique_key,
    schedule_slot: null,
    locked_by: null,
    locked_until: null,
    cancel_requested: false,
    created_at: createdAt,
    started_at: null,
    finished_at: null,
  };
}

/**
 * Lines the rows an INSERT returned up with its input and builds each stored row from its
 * input, so a bulk insert need not read every column back. Rows are inserted in input order,
 * so ascending ids follow it. A task skipped because its unique key is already open (or taken
 * by an earlier item of the same statement) is answered with the open task, read by
 * `openByKey`; a key given twice in one statement is read back too rather than guessed.
 */
export async function matchInserted(
  chunk: readonly NewTask[],
  rows: InsertedRow[],
  times: (task: NewTask, row: InsertedRow) => [runAt: unknown, createdAt: unknown],
  openByKey: (keys: string[]) => Promise<TaskRow[]>,
): Promise<TaskRow[]> {
  rows.sort((a, b) => Number(a.id) - Number(b.id));
  const build = (task: NewTask, row: InsertedRow) => storedRow(task, row, ...times(task, row));
  if (rows.length === chunk.length) return chunk.map((task, i) => build(task, rows[i]!));
  const perKey = new Map<string, number>();
  for (const c of chunk) if (c.uniqueKey != null) perKey.set(c.uniqueKey, (perKey.get(c.uniqueKey) ?? 0) + 1);
  const inserted = new Map(rows.filter((r) => r.unique_key != null).map((r) => [r.unique_key as string, r]));
  const read = [...perKey].filter(([key, n]) => n > 1 || !inserted.has(key)).map(([key]) => key);
  const byKey = new Map<string, TaskRow>();
  if (read.length) {
    for (const r of await openByKey(read)) byKey.set(r.unique_key as string, r);
  }
  const plain = rows.filter((r) => r.unique_key == null);
  let i = 0;
  return chunk.map((c) => {
    if (c.uniqueKey == null) return build(c, plain[i++]!);
    const known = byKey.get(c.uniqueKey);
    if (known) return known;
    const row = perKey.get(c.uniqueKey) === 1 ? inserted.get(c.uniqueKey) : undefined;
    if (!row) throw new Error(`Task with unique key ${c.uniqueKey} finished while being enqueued; enqueue it again.`);
    return build(c, row);
  });
}
