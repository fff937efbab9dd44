import type { TaskRow } from '../dialects/task-row.js';
import { parseJson, toBool, toDate } from '../dialects/row-values.js';
import { Task } from '../entities/task.entity.js';
import type { TaskStatus } from '../entities/task-status.js';

/** A detached `Task` snapshot from a raw row (not managed by any EntityManager). */
export function rowToTask<P = unknown, R = unknown>(row: TaskRow): Task<P, R> {
  const task = new Task<P, R>();
  task.id = Number(row.id);
  task.queue = row.queue;
  task.name = row.name;
  task.payload = parseJson(row.payload) as P;
  task.status = row.status as TaskStatus;
  task.priority = Number(row.priority);
  task.runAt = toDate(row.run_at)!;
  task.attempts = Number(row.attempts);
  task.maxAttempts = Number(row.max_attempts);
  task.timeoutMs = row.timeout_ms == null ? null : Number(row.timeout_ms);
  task.lastError = row.last_error;
  task.result = parseJson(row.result) as R | null;
  task.progress = parseJson(row.progress);
  task.uniqueKey = row.unique_key;
  task.scheduleSlot = row.schedule_slot ?? null;
  task.lockedBy = row.locked_by;
  task.lockedUntil = toDate(row.locked_until);
  task.cancelRequested = toBool(row.cancel_requested);
  task.createdAt = toDate(row.created_at)!;
  task.startedAt = toDate(row.started_at);
  task.finishedAt = toDate(row.finished_at);
  return task;
}
