/** Which task an event is about, and which attempt. */
export interface TaskEventTask {
  readonly id: number;
  readonly name: string;
  readonly queue: string;
  /** Attempt number (1-based) the event concerns; 0 for a task cancelled before it ever ran. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

/** A handler was called for an attempt. */
export interface TaskStartedEvent {
  readonly type: 'started';
  readonly task: TaskEventTask;
}

/** The attempt succeeded; `result` is the stored JSON result (null when the handler returned nothing). */
export interface TaskSucceededEvent {
  readonly type: 'succeeded';
  readonly task: TaskEventTask;
  readonly result: unknown;
}

/** The attempt failed and another is scheduled after `delayMs`. */
export interface TaskRetryingEvent {
  readonly type: 'retrying';
  readonly task: TaskEventTask;
  /** First line of the recorded error. */
  readonly error: string;
  readonly delayMs: number;
}

/** The last attempt failed; the task is `failed`. */
export interface TaskFailedEvent {
  readonly type: 'failed';
  readonly task: TaskEventTask;
  readonly error: string;
}

/** The task ended `cancelled` (before it started, or its running attempt was cancelled). */
export interface TaskCancelledEvent {
  readonly type: 'cancelled';
  readonly task: TaskEventTask;
}

/** Lifecycle events of tasks in this process, discriminated by `type`. */
export type TaskEvent = TaskStartedEvent | TaskSucceededEvent | TaskRetryingEvent | TaskFailedEvent | TaskCancelledEvent;

/** One of `started`, `succeeded`, `retrying`, `failed`, `cancelled`. */
export type TaskEventType = TaskEvent['type'];

/** The event type named `T`. */
export type TaskEventOf<T extends TaskEventType> = Extract<TaskEvent, { type: T }>;

export const TASK_EVENT_TYPES: readonly TaskEventType[] = ['started', 'succeeded', 'retrying', 'failed', 'cancelled'];

/** Events after which the task will not run again (unless `retry()` is called). */
export const FINAL_EVENT_TYPES: readonly TaskEventType[] = ['succeeded', 'failed', 'cancelled'];
