import type { CancelResult, ClaimedTask, Finished, FinishedStatus, NewTask, Outcome, StopRow, TaskRow } from './task-row.js';
import type { SqlContext } from './sql-executor.js';
import type { HeldTask } from './by-attempt.js';

/** What a claim asks for. */
export interface ClaimRequest {
  workerId: string;
  queue: string;
  names: readonly string[];
  limit: number;
  leaseMs: number;
}

/**
 * The database operations the runner needs, one implementation per database. Every
 * statement binds its values; every write to a claimed row is fenced on `locked_by` and the
 * claim's attempt, so a worker that lost its lease cannot overwrite the new owner's state,
 * even when the new owner is itself (a later attempt of the same task).
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgresql' | 'mysql';
  /** One-time connection setup (SQLite: WAL, busy timeout). */
  prepare(): Promise<void>;
  /** Inserts tasks in one statement; with a unique key already open, returns the open task instead. */
  insert(tasks: readonly NewTask[], ctx?: SqlContext): Promise<TaskRow[]>;
  /** Atomically marks up to `limit` due pending tasks running for this worker and returns them. */
  claim(req: ClaimRequest): Promise<ClaimedTask[]>;
  /** Writes finished attempts; returns the ids whose write applied (the lease was still ours) and the retries stored as cancelled. */
  finish(workerId: string, outcomes: readonly Outcome[]): Promise<Finished>;
  /** Extends the leases of tasks this worker runs; returns ids still held and ids whose cancel was requested. */
  renew(workerId: string, ids: readonly number[], leaseMs: number): Promise<{ held: number[]; cancelRequested: number[] }>;
  /**
   * Gives back tasks this worker claimed ahead but never started: pending again with the
   * claim's attempt returned (cancelled instead when a cancel was requested). Returns the count.
   */
  release(workerId: string, tasks: readonly HeldTask[], cancelReason: string): Promise<number>;
  /** Takes back running tasks whose lease expired: retried, or failed when out of attempts. */
  reclaimExpired(): Promise<number>;
  /**
   * Stores progress for a task this worker holds. `ctx` is the handler's own open transaction on
   * SQLite, whose one connection it holds: writing beside it would wait for it forever.
   */
  setProgress(workerId: string, task: HeldTask, progress: string, ctx?: SqlContext): Promise<void>;
  /** Highest stop-row id now; a runner obeys only rows above the value it saw at start. */
  latestStopId(): Promise<number>;
  insertStop(scope: string, reason: string | null, ctx?: SqlContext): Promise<number>;
  /** First stop row above `afterId` whose scope is one of `scopes`. */
  findStop(afterId: number, scopes: readonly string[]): Promise<StopRow | undefined>;
  /** The subset of `ids` still pending, with their start times (for runUntilEmpty's retry wait). */
  pendingAmong(ids: readonly number[]): Promise<{ id: number; runAt: Date }[]>;
  /** `ctx` here and below: the caller's open transaction on SQLite, for the reason given at setProgress. */
  getRow(id: number, ctx?: SqlContext): Promise<TaskRow | undefined>;
  /**
   * Pending ⇒ `cancelled` (recording `reason`); running ⇒ sets `cancel_requested` for its
   * runner. Returns the row afterwards and what was done, undefined when there is no such task.
   */
  cancel(id: number, reason: string, ctx?: SqlContext): Promise<CancelResult | undefined>;
  /** Failed or cancelled ⇒ pending with fresh attempts, due now; undefined when not in those states. */
  retry(id: number, ctx?: SqlContext): Promise<TaskRow | undefined>;
  /** Inserts the task of a schedule slot unless one exists for that slot; undefined when taken. */
  insertScheduled(task: NewTask, slot: string): Promise<TaskRow | undefined>;
  /** Deletes up to `limit` tasks of `status` finished more than `olderThanMs` ago; returns the count. */
  deleteFinished(status: FinishedStatus, olderThanMs: number, limit: number): Promise<number>;
  /**
   * Cross-process wake-ups, where the database has them (PostgreSQL LISTEN/NOTIFY): calls
   * `onNotify` with the queue of tasks enqueued in any process, or null when notifications
   * may have been missed (after a reconnect). Resolves with a function that stops listening.
   */
  listen?(onNotify: (queue: string | null) => void): Promise<() => Promise<void>>;
}
