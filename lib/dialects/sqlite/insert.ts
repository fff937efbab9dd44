import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { insertUntilStored, matchInserted, NO_RETRY, type InsertedRow } from '../match-inserted.js';
import { chunks, marks, type Tables } from '../tables.js';
import type { NewTask, TaskRow } from '../task-row.js';

const COLUMNS = 'queue, name, payload, status, priority, run_at, attempts, max_attempts, timeout_ms, unique_key, cancel_requested, created_at';
const ROW = "(?, ?, ?, 'pending', ?, ?, 0, ?, ?, ?, 0, ?)";
/** Rows per INSERT statement: 9 params a row, well under SQLite's 32766. */
export const ROWS_PER_INSERT = 1000;

/**
 * One multi-row INSERT … RETURNING per chunk. A row whose unique key is already open is
 * skipped by ON CONFLICT and answered with the open task, so concurrent enqueues of one key
 * yield one task (the constraint decides, not a read-then-write). The conflict target names
 * the partial unique index's predicate, which also matches a full unique index. Times are
 * bound here, so only ids and keys come back: reading whole rows back cost more than inserting them.
 * `retry` retries each statement on its own, for a call outside any transaction.
 */
export async function insertTasks(exec: SqlExecutor, t: Tables, tasks: readonly NewTask[], ctx?: SqlContext, retry = NO_RETRY): Promise<TaskRow[]> {
  const out: TaskRow[] = [];
  const now = Date.now();
  const runAtOf = (task: NewTask) => (task.runAt ? task.runAt.getTime() : now + task.delayMs);
  const insertRound = async (chunk: readonly NewTask[]) => {
    const params: unknown[] = [];
    for (const task of chunk) {
      params.push(task.queue, task.name, task.payload, task.priority, runAtOf(task), task.maxAttempts, task.timeoutMs, task.uniqueKey, now);
    }
    const sql = `INSERT INTO ${t.task} (${COLUMNS}) VALUES ${new Array<string>(chunk.length).fill(ROW).join(', ')} ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING RETURNING id, unique_key`;
    const rows = await retry(() => exec.all<InsertedRow>(sql, params, ctx));
    return matchInserted(
      chunk,
      rows,
      (task) => [runAtOf(task), now],
      (keys) => retry(() => exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE unique_key IN (${marks(keys.length)})`, keys, ctx)),
    );
  };
  for (const chunk of chunks(tasks, ROWS_PER_INSERT)) {
    for (const row of await insertUntilStored(chunk, insertRound)) out.push(row);
  }
  return out;
}
