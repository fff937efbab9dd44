import type { TaskRow } from '../dialects/task-row.js';
import { parseJson, toBool, toDate } from '../dialects/row-values.js';
import { Task } from '../entities/task.entity.js';
import type { TaskStatus } from '../entities/task-status.js';

/**
 * A detached `Task` snapshot from a raw row (not managed by any EntityManager). Built as a
 * plain object given `Task`'s prototype: assigning through `new Task()` would run the ORM's
 * per-property accessors, which made bulk enqueues spend more time building return values
 * than inserting rows.
 */
export function rowToTask<P = unknown, R = unknown>(row: TaskRow): Task<P, R> {
  const task = {
    id: Number(row.id),
    queue: row.queue,
    name: row.name,
    payload: parseJson(row.payload) as P,
    status: row.status as TaskStatus,
    priority: Number(row.priority),
    runAt: toDate(row.run_at)!,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    timeoutMs: row.timeout_ms == null ? null : Number(row.timeout_ms),
    lastError: row.last_error,
    result: parseJson(row.result) as R | null,
    progress: parseJson(row.progress),
    uniqueKey: row.unique_key,
    scheduleSlot: row.schedule_slot ?? null,
    lockedBy: row.locked_by,
    lockedUntil: toDate(row.locked_until),
    cancelRequested: toBool(row.cancel_requested),
    createdAt: toDate(row.created_at)!,
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at),
  };
  return Object.setPrototypeOf(task, Task.prototype) as Task<P, R>;
}
