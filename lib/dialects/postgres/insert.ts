import { insertUntilStored, matchInserted, NO_RETRY, type InsertedRow } from '../match-inserted.js';
import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { chunks, type Tables } from '../tables.js';
import type { NewTask, TaskRow } from '../task-row.js';

const COLUMNS = 'queue, name, payload, status, priority, run_at, attempts, max_attempts, timeout_ms, unique_key, cancel_requested, created_at';
/** Rows per INSERT statement: bounds the size of one statement's arrays. */
export const ROWS_PER_INSERT = 1000;

const FIELDS = 'queue, name, payload, priority, run_at, delay_ms, max_attempts, timeout_ms, unique_key';
const TYPES = ['text', 'text', 'text', 'int', 'timestamptz', 'float8', 'int', 'int', 'text'];
/** Many rows: one array per column, in input order. */
const FROM_ARRAYS = `unnest(${TYPES.map((type, i) => `$${i + 2}::${type}[]`).join(', ')}) WITH ORDINALITY AS v(${FIELDS}, n) ORDER BY v.n`;
/** One row (a plain `enqueue`): scalars, which PostgreSQL plans faster than arrays. */
const FROM_ONE = `(VALUES (${TYPES.map((type, i) => `$${i + 2}::${type}`).join(', ')})) AS v(${FIELDS})`;

function insertSql(t: Tables, from: string): string {
  return (
    `WITH ins AS (INSERT INTO ${t.task} (${COLUMNS}) ` +
    `SELECT v.queue, v.name, v.payload, 'pending', v.priority, coalesce(v.run_at, now() + v.delay_ms * interval '1 millisecond'), 0, ` +
    `v.max_attempts, v.timeout_ms, v.unique_key, false, now() FROM ${from} ` +
    `ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING RETURNING id, unique_key, run_at, created_at, queue) ` +
    // Times as epoch ms (exact: the columns hold ms), which is cheaper to read than timestamp
    // text. An uncorrelated subquery runs once, on the first returned row: no row, no wake-up.
    `SELECT id, unique_key, (extract(epoch FROM run_at) * 1000)::int8 AS run_at, (extract(epoch FROM created_at) * 1000)::int8 AS created_at, ` +
    `(SELECT count(pg_notify($1, q.queue)) FROM (SELECT DISTINCT queue FROM ins) q) AS notified FROM ins`
  );
}

function values(task: NewTask): unknown[] {
  return [task.queue, task.name, task.payload, task.priority, task.runAt ? task.runAt.toISOString() : null, task.delayMs, task.maxAttempts, task.timeoutMs, task.uniqueKey];
}

/**
 * One INSERT … SELECT FROM unnest(…) per chunk (VALUES for a single task): one array
 * parameter per column keeps the statement text the same for any number of rows, so PostgreSQL parses a short statement
 * instead of thousands of placeholders. ON CONFLICT lets the unique index decide between
 * concurrent enqueues of one key; its target names the partial index's predicate, which also
 * infers a full unique index. `run_at` without an explicit time is the server's
 * `now()` plus the delay. The same statement NOTIFYs `channel` once per queue that got a
 * row; PostgreSQL delivers it when the transaction commits (the caller's, if any). `retry`
 * retries each statement on its own, for a call outside any transaction.
 */
export async function insertTasks(exec: SqlExecutor, t: Tables, channel: string, tasks: readonly NewTask[], ctx?: SqlContext, retry = NO_RETRY): Promise<TaskRow[]> {
  const insertRound = async (chunk: readonly NewTask[]) => {
    let params: unknown[];
    if (chunk.length === 1) {
      params = [channel, ...values(chunk[0]!)];
    } else {
      const columns: unknown[][] = TYPES.map(() => []);
      for (const task of chunk) values(task).forEach((value, i) => columns[i]!.push(value));
      params = [channel, ...columns];
    }
    const rows = await retry(() => exec.all<InsertedRow>(insertSql(t, chunk.length === 1 ? FROM_ONE : FROM_ARRAYS), params, ctx));
    return matchInserted(
      chunk,
      rows,
      (_task, row) => [Number(row.run_at), Number(row.created_at)],
      (keys) => retry(() => exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE unique_key = ANY($1::text[])`, [keys], ctx)),
    );
  };
  const out: TaskRow[] = [];
  for (const chunk of chunks(tasks, ROWS_PER_INSERT)) {
    for (const row of await insertUntilStored(chunk, insertRound)) out.push(row);
  }
  return out;
}
