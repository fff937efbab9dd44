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
 * `openByKey`; a key given twice in one statement is read back too rather than guessed. A
 * task whose key was released before that read (the open task finished) is answered with the
 * row this statement inserted for the key, if it inserted one, else with undefined: its key
 * is free, and `insertUntilStored` inserts it again.
 */
export async function matchInserted(
  chunk: readonly NewTask[],
  rows: InsertedRow[],
  times: (task: NewTask, row: InsertedRow) => [runAt: unknown, createdAt: unknown],
  openByKey: (keys: string[]) => Promise<TaskRow[]>,
): Promise<(TaskRow | undefined)[]> {
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
  // The row this statement inserted for a key belongs to the first item that carried it.
  const firstWithKey = new Map<string, NewTask>();
  for (const c of chunk) if (c.uniqueKey != null && !firstWithKey.has(c.uniqueKey)) firstWithKey.set(c.uniqueKey, c);
  let i = 0;
  return chunk.map((c) => {
    if (c.uniqueKey == null) return build(c, plain[i++]!);
    const known = byKey.get(c.uniqueKey);
    if (known) return known;
    // Inserted here, then finished before the read-back: still the answer (as when the key is
    // given once). Only a key this statement did not insert is free to be inserted again.
    const row = inserted.get(c.uniqueKey);
    return row && build(firstWithKey.get(c.uniqueKey)!, row);
  });
}

/** Runs one statement again while the database refuses it for a transient reason. */
export type RetryStatement = <T>(statement: () => Promise<T>) => Promise<T>;

/** No retry: inside a transaction, which is retried (or not) as a whole. */
export const NO_RETRY: RetryStatement = (statement) => statement();

/** Inserts of one item before giving up on a key that keeps being taken and released meanwhile. */
const MAX_ROUNDS = 10;

/**
 * Runs `insertRound` (insert, then read back the open tasks of keys that conflicted) on
 * `tasks`, then again on the items it answered with undefined, until each has its stored
 * row. Such an item lost a race: the task holding its key finished between the insert and
 * the read-back. The key is free now, so the item is inserted again (or answered with
 * whichever task took the key meanwhile) instead of failing a call whose other rows may be
 * committed already. Nothing is inserted twice: an item answered undefined was not inserted.
 * Outside a transaction the rounds commit one by one, so a refused statement must be retried
 * on its own (see `RetryStatement`), never by running the whole insert again.
 */
export async function insertUntilStored(tasks: readonly NewTask[], insertRound: (tasks: readonly NewTask[]) => Promise<(TaskRow | undefined)[]>): Promise<TaskRow[]> {
  const out = await insertRound(tasks);
  for (let round = 1; ; round++) {
    if (!out.includes(undefined)) return out as TaskRow[];
    const missing: number[] = [];
    for (let i = 0; i < out.length; i++) if (out[i] === undefined) missing.push(i);
    if (round === MAX_ROUNDS) {
      throw new Error(`Task with unique key ${tasks[missing[0]!]!.uniqueKey} finished while being enqueued, ${MAX_ROUNDS} times in a row; enqueue it again.`);
    }
    const again = await insertRound(missing.map((i) => tasks[i]!));
    missing.forEach((i, j) => (out[i] = again[j]));
  }
}
