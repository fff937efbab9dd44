import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { NewTask, TaskRow } from '../task-row.js';

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, as DATETIME(3) columns hold it. */
function utcText(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

/**
 * MySQL/MariaDB version of `sqlite/insert-scheduled.ts`. `ON DUPLICATE KEY UPDATE id = id`
 * rather than INSERT IGNORE, which would also swallow unrelated errors. A duplicate slot sets
 * no insert id (its affected-rows count is 1 with the driver's FOUND_ROWS flag, so it cannot tell).
 */
export async function insertScheduled(exec: SqlExecutor, t: Tables, task: NewTask, slot: string): Promise<TaskRow | undefined> {
  const runAt = task.runAt ? utcText(task.runAt) : null;
  const res = await exec.run(
    `INSERT INTO ${t.task} (queue, name, payload, status, priority, run_at, attempts, max_attempts, timeout_ms, unique_key, schedule_slot, cancel_requested, created_at) ` +
      "VALUES (?, ?, ?, 'pending', ?, COALESCE(?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND), 0, ?, ?, NULL, ?, 0, UTC_TIMESTAMP(3)) " +
      'ON DUPLICATE KEY UPDATE id = id',
    [task.queue, task.name, task.payload, task.priority, runAt, task.delayMs * 1000, task.maxAttempts, task.timeoutMs, slot],
  );
  if (!res.insertId) return undefined;
  return (await exec.all<TaskRow>(`SELECT * FROM ${t.task} WHERE id = ?`, [res.insertId]))[0];
}
