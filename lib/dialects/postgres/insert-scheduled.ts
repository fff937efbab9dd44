import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { NewTask, TaskRow } from '../task-row.js';

/**
 * PostgreSQL version of `sqlite/insert-scheduled.ts`: the unique schedule_slot decides. Like
 * an enqueue, it NOTIFYs `channel` so idle runners in other processes start the slot at once.
 */
export async function insertScheduled(exec: SqlExecutor, t: Tables, channel: string, task: NewTask, slot: string): Promise<TaskRow | undefined> {
  const rows = await exec.all<TaskRow & { notified?: unknown }>(
    `WITH ins AS (INSERT INTO ${t.task} (queue, name, payload, status, priority, run_at, attempts, max_attempts, timeout_ms, unique_key, schedule_slot, cancel_requested, created_at) ` +
      "VALUES ($1, $2, $3, 'pending', $4, COALESCE($5::timestamptz, now() + $6::bigint * interval '1 millisecond'), 0, $7, $8, NULL, $9, false, now()) " +
      'ON CONFLICT DO NOTHING RETURNING *) ' +
      'SELECT ins.*, pg_notify($10, ins.queue) AS notified FROM ins',
    [task.queue, task.name, task.payload, task.priority, task.runAt, task.delayMs, task.maxAttempts, task.timeoutMs, slot, channel],
  );
  if (!rows[0]) return undefined;
  const { notified: _, ...row } = rows[0];
  return row as TaskRow;
}
