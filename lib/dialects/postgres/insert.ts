import { matchInserted } from '../match-inserted.js';
import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { chunks, type Tables } from '../tables.js';
import type { NewTask, TaskRow } from '../task-row.js';
import { nowPlusMs, PgParams } from './params.js';

const COLUMNS = 'queue, name, payload, status, priority, run_at, attempts, max_attempts, timeout_ms, unique_key, cancel_requested, created_at';
const PER_STATEMENT = 1000; // 9 values a row, well under PostgreSQL's 65535 bound parameters

/**
 * One multi-row INSERT per chunk. ON CONFLICT lets the unique index decide between
 * concurrent enqueues of one key. The same statement NOTIFYs `channel` with each inserted
 * row's queue: PostgreSQL delivers it when the transaction commits (the caller's, if any)
 * and folds identical payloads into one.
 */
export async function insertTasks(exec: SqlExecutor, t: Tables, channel: string, tasks: readonly NewTask[], ctx?: SqlContext): Promise<TaskRow[]> {
  const out: TaskRow[] = [];
  for (const chunk of chunks(tasks, PER_STATEMENT)) {
    const p = new PgParams();
    const ch = p.add(channel);
    const values = chunk.map((task) => {
      const runAt = task.runAt ? p.add(task.runAt.toISOString(), 'timestamptz') : nowPlusMs(p, task.delayMs);
      return (
        `(${p.add(task.queue)}, ${p.add(task.name)}, ${p.add(task.payload)}, 'pending', ${p.add(task.priority, 'int')}, ${runAt}, 0, ` +
        `${p.add(task.maxAttempts, 'int')}, ${p.add(task.timeoutMs, 'int')}, ${p.add(task.uniqueKey)}, false, now())`
      );
    });
    const sql =
      `WITH ins AS (INSERT INTO ${t.task} (${COLUMNS}) VALUES ${values.join(', ')} ON CONFLICT (unique_key) DO NOTHING RETURNING *) ` +
      `SELECT ins.*, pg_notify(${ch}, ins.queue) AS notified FROM ins`;
    const rows = (await exec.all<TaskRow & { notified?: unknown }>(sql, p.values, ctx)).map(({ notified: _, ...row }) => row as TaskRow);
    out.push(...(await matchInserted(chunk, rows, (keys) => exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE unique_key = ANY($1::text[])`, [keys], ctx))));
  }
  return out;
}
