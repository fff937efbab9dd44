/** Lifecycle of a task row. `pending` and `running` are "open"; the other three are final. */
export const TaskStatus = {
  Pending: 'pending',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;

/** One of the values of {@link TaskStatus}. */
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** Statuses after which a task never runs again unless `retry()` puts it back. */
export const FINISHED_STATUSES: readonly TaskStatus[] = [TaskStatus.Succeeded, TaskStatus.Failed, TaskStatus.Cancelled];
