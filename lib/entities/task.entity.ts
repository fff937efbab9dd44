import type { TaskStatus } from './task-status.js';

/**
 * One background task: a registered handler name plus a JSON payload, never code.
 * Rows are written by `TaskQueue` and claimed by `AsyncRunnerService`; read them with
 * `TaskQueue.get()` or the host's own `EntityManager`.
 */
export class Task<Payload = unknown, Result = unknown> {
  id!: number;
  /** Queue the task belongs to; runners serve a chosen set of queues. */
  queue!: string;
  /** Name of the `@TaskHandler` that runs it. */
  name!: string;
  /** JSON payload passed to the handler (Dates arrive as ISO strings). */
  payload!: Payload;
  status!: TaskStatus;
  /** Higher runs first. */
  priority!: number;
  /** Earliest time the next attempt may start. */
  runAt!: Date;
  /** Attempts started so far (incremented when claimed, before the handler runs). */
  attempts!: number;
  maxAttempts!: number;
  /** Per-attempt time limit in ms; null means the handler's default (or none). */
  timeoutMs?: number | null;
  /** Message and stack of the last failure. */
  lastError?: string | null;
  /** The handler's JSON return value, once succeeded. */
  result?: Result | null;
  /** Last value passed to `ctx.progress()`. */
  progress?: unknown;
  /** While the task is pending or running, no other open task has the same key. */
  uniqueKey?: string | null;
  /** For tasks enqueued by a cron schedule: `<name>@<slot ISO time>`, unique forever. */
  scheduleSlot?: string | null;
  /** Worker id holding the lease while running. */
  lockedBy?: string | null;
  /** Lease expiry; a running task past it is taken back by any runner. */
  lockedUntil?: Date | null;
  /** Set when `cancel()` was asked for a running task; its runner aborts the handler. */
  cancelRequested!: boolean;
  createdAt!: Date;
  startedAt?: Date | null;
  finishedAt?: Date | null;
}
