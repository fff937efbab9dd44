import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { NewTask, TaskRow } from '../task-row.js';

/**
 * Inserts the task of one schedule slot unless any instance already did: the unique
 * `schedule_slot` column decides, and it is never cleared, so a slot yields one task ever.
 * Returns the new row, or undefined when the slot was taken.
 */
export async function insertScheduled(exec: SqlExecutor, t: Tables, task: NewTask, slot: string): Promise<TaskRow | undefined> {
  // A read first: with several instances, most find the slot taken, and the INSERT would wait
  // for the write lock (blocking the event loop) only to do nothing.
  if ((await exec.all(`SELECT 1 FROM ${t.task} WHERE schedule_slot = ?`, [slot])).length > 0) return undefined;
  const now = Date.now();
  const runAt = task.runAt ? task.runAt.getTime() : now + task.delayMs;
  const rows = await exec.all<TaskRow>(
    `INSERT INTO ${t.task} (queue, name, payload, status, priority, run_at, attempts, max_attempts, timeout_ms, unique_key, schedule_slot, cancel_requested, created_at) ` +
      "VALUES (?, ?, ?, 'pending', ?, ?, 0, ?, ?, NULL, ?, 0, ?) ON CONFLICT DO NOTHING RETURNING *",
    [task.queue, task.name, task.payload, task.priority, runAt, task.maxAttempts, task.timeoutMs, slot, now],
  );
  return rows[0];
}
