import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { matchInserted } from '../match-inserted.js';
import { chunks, marks, type Tables } from '../tables.js';
import type { NewTask, TaskRow } from '../task-row.js';

const COLUMNS = 'queue, name, payload, status, priority, run_at, attempts, max_attempts, timeout_ms, unique_key, cancel_requested, created_at';
const ROW = "(?, ?, ?, 'pending', ?, ?, 0, ?, ?, ?, 0, ?)";
const PER_STATEMENT = 1000; // 9 params a row, well under SQLite's 32766

/**
 * One multi-row INSERT … RETURNING per chunk. A row whose unique key is already open is
 * skipped by ON CONFLICT and answered with the open task, so concurrent enqueues of one key
 * yield one task (the constraint decides, not a read-then-write).
 */
export async function insertTasks(exec: SqlExecutor, t: Tables, tasks: readonly NewTask[], ctx?: SqlContext): Promise<TaskRow[]> {
  const out: TaskRow[] = [];
  const now = Date.now();
  for (const chunk of chunks(tasks, PER_STATEMENT)) {
    const params: unknown[] = [];
    for (const task of chunk) {
      const runAt = task.runAt ? task.runAt.getTime() : now + task.delayMs;
      params.push(task.queue, task.name, task.payload, task.priority, runAt, task.maxAttempts, task.timeoutMs, task.uniqueKey, now);
    }
    const sql = `INSERT INTO ${t.task} (${COLUMNS}) VALUES ${new Array<string>(chunk.length).fill(ROW).join(', ')} ON CONFLICT (unique_key) DO NOTHING RETURNING *`;
    const rows = await exec.all<TaskRow>(sql, params, ctx);
    out.push(...(await matchInserted(chunk, rows, (keys) => exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE unique_key IN (${marks(keys.length)})`, keys, ctx))));
  }
  return out;
}
