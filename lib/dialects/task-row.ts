/** A task row as the runner's SQL returns it (snake_case columns, driver-native types). */
export interface TaskRow {
  id: number | string;
  queue: string;
  name: string;
  payload: string | null;
  status: string;
  priority: number;
  run_at: unknown;
  attempts: number;
  max_attempts: number;
  timeout_ms: number | null;
  last_error: string | null;
  result: string | null;
  progress: string | null;
  unique_key: string | null;
  schedule_slot?: string | null;
  locked_by: string | null;
  locked_until: unknown;
  cancel_requested: unknown;
  created_at: unknown;
  started_at: unknown;
  finished_at: unknown;
}

/** A new task, validated and serialised, ready to insert. */
export interface NewTask {
  queue: string;
  name: string;
  /** JSON text. */
  payload: string;
  priority: number;
  /** Absolute start time, or null to use `delayMs` from the database's now. */
  runAt: Date | null;
  delayMs: number;
  maxAttempts: number;
  timeoutMs: number | null;
  uniqueKey: string | null;
}

/** A task just claimed by this worker. */
export interface ClaimedTask {
  id: number;
  queue: string;
  name: string;
  payload: string | null;
  attempts: number;
  maxAttempts: number;
  timeoutMs: number | null;
}

/** Outcome of one attempt (`attempt` is the claim's attempt number), written fenced on the worker's lease and that attempt. */
export type Outcome =
  | { kind: 'succeeded'; id: number; attempt: number; result: string | null }
  | { kind: 'retry'; id: number; attempt: number; error: string; delayMs: number }
  | { kind: 'failed'; id: number; attempt: number; error: string }
  | { kind: 'cancelled'; id: number; attempt: number; error: string };

/** What a batch of outcome writes stored. */
export interface Finished {
  /** Ids whose write applied (this worker still held that attempt's lease). */
  applied: number[];
  /** Of those, retries stored as `cancelled`: a cancel was requested before the failure was written. */
  cancelled: number[];
}

/** A stop row newer than a runner's start. */
export interface StopRow {
  id: number;
  scope: string;
  reason: string | null;
}

/** Statuses retention may delete. */
export type FinishedStatus = 'succeeded' | 'failed' | 'cancelled';

/** What `cancel` did: cancelled a pending task, flagged a running one, or nothing (already finished). */
export interface CancelResult {
  row: TaskRow;
  action: 'cancelled' | 'requested' | 'none';
}
