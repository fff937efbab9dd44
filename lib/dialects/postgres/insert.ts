import { matchInserted, type InsertedRow } from '../match-inserted.js';
import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { chunks, type Tables } from '../tables.js';
import type { NewTask, TaskRow } from '../task-row.js';

const COLUMNS = 'queue, name, payload, status, priority, run_at, attempts, max_attempts, timeout_ms, unique_key, cancel_requested, created_at';
/** Bounds the size of one statement's arrays (and of a transaction's first lock wait). */
const PER_STATEMENT = 1000;

/**
 * One INSERT … SELECT FROM unnest(…) per chunk: one array parameter per column keeps the
 * statement text the same for any number of rows, so PostgreSQL parses a short statement
 * instead of thousands of placeholders. ON CONFLICT lets the unique index decide between
 * concurrent enqueues of one key. `run_at` without an explicit time is the server's
 * `now()` plus the delay. The same statement NOTIFYs `channel` once per queue that got a
 * row; PostgreSQL delivers it when the transaction commits (the caller's, if any).
 */
export async function insertTasks(exec: SqlExecutor, t: Tables, channel: string, tasks: readonly NewTask[], ctx?: SqlContext): Promise<TaskRow[]> {
  const sql =
    `WITH ins AS (INSERT INTO ${t.task} (${COLUMNS}) ` +
    `SELECT v.queue, v.name, v.payload, 'pending', v.priority, coalesce(v.run_at, now() + v.delay_ms * interval '1 millisecond'), 0, ` +
    `v.max_attempts, v.timeout_ms, v.unique_key, false, now() ` +
    `FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[], $7::float8[], $8::int[], $9::int[], $10::text[]) ` +
    `WITH ORDINALITY AS v(queue, name, payload, priority, run_at, delay_ms, max_attempts, timeout_ms, unique_key, n) ORDER BY v.n ` +
    `ON CONFLICT (unique_key) DO NOTHING RETURNING id, unique_key, run_at, created_at, queue) ` +
    // Times as epoch ms (exact: the columns hold ms), which is cheaper to read than timestamp
    // text. An uncorrelated subquery runs once, on the first returned row: no row, no wake-up.
    `SELECT id, unique_key, (extract(epoch FROM run_at) * 1000)::int8 AS run_at, (extract(epoch FROM created_at) * 1000)::int8 AS created_at, (SELECT count(pg_notify($1, q.queue)) FROM (SELECT DISTINCT queue FROM ins) q) AS notified FROM ins`;
  const out: TaskRow[] = [];
  for (const chunk of chunks(tasks, PER_STATEMENT)) {
    const columns: unknown[][] = [[], [], [], [], [], [], [], [], []];
    const [queue, name, payload, priority, runAt, delayMs, maxAttempts, timeoutMs, uniqueKey] = columns;
    for (const task of chunk) {
      queue!.push(task.queue);
      name!.push(task.name);
      payload!.push(task.payload);
      priority!.push(task.priority);
      runAt!.push(task.runAt ? task.runAt.toISOString() : null);
      delayMs!.push(task.delayMs);
      maxAttempts!.push(task.maxAttempts);
      timeoutMs!.push(task.timeoutMs);
      uniqueKey!.push(task.uniqueKey);
    }
    const rows = await exec.all<InsertedRow>(sql, [channel, ...columns], ctx);
    const stored = await matchInserted(
      chunk,
      rows,
      (_task, row) => [Number(row.run_at), Number(row.created_at)],
      (keys) => exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE unique_key = ANY($1::text[])`, [keys], ctx),
    );
    for (const row of stored) out.push(row);
  }
  return out;
}
