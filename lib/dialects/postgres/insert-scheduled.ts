import type { SqlExecutor } from '../sql-executor.js';
import type { Tables } from '../tables.js';
import type { NewTask, TaskRow } from '../task-row.js';

/** PostgreSQL version of `sqlite/insert-scheduled.ts`: the unique schedule_slot decides. */
export async function insertScheduled(exec: SqlExecutor, t: Tables, task: NewTask, slot: string): Promise<TaskRow | undefined> {
  const rows = await exec.all<TaskRow>(
    `INSERT INTO ${t.task} (queue, name, payload, status, priority, run_at, attempts, max_attempts, timeout_ms, unique_key, schedule_slot, cancel_requested, created_at) ` +
      "VALUES ($1, $2, $3, 'pending', $4, COALESCE($5::timestamptz, now() + $6::bigint * interval '1 millisecond'), 0, $7, $8, NULL, $9, false, now()) " +
      'ON CONFLICT DO NOTHING RETURNING *',
    [task.queue, task.name, task.payload, task.priority, task.runAt, task.delayMs, task.maxAttempts, task.timeoutMs, slot],
  );
  return rows[0];
}
