import type { ClaimRequest } from './dialect.js';
import type { SqlContext, SqlExecutor } from './sql-executor.js';
import type { HeldTask } from './by-attempt.js';
import type { Tables } from './tables.js';
import type { CancelResult, ClaimedTask, Finished, FinishedStatus, Outcome, StopRow, TaskRow } from './task-row.js';

/**
 * The operations whose shape is the same on every database: each dialect folder has one file
 * per operation and an `ops.ts` that gathers them into this object.
 */
export interface SharedOps {
  claimTasks(exec: SqlExecutor, t: Tables, req: ClaimRequest): Promise<ClaimedTask[]>;
  finishTasks(exec: SqlExecutor, t: Tables, workerId: string, outcomes: readonly Outcome[]): Promise<Finished>;
  renewLeases(exec: SqlExecutor, t: Tables, workerId: string, ids: readonly number[], leaseMs: number): Promise<{ held: number[]; cancelRequested: number[] }>;
  releaseTasks(exec: SqlExecutor, t: Tables, workerId: string, tasks: readonly HeldTask[], cancelReason: string): Promise<number>;
  reclaimExpired(exec: SqlExecutor, t: Tables): Promise<number>;
  setProgress(exec: SqlExecutor, t: Tables, workerId: string, task: HeldTask, progress: string, ctx?: SqlContext): Promise<void>;
  latestStopId(exec: SqlExecutor, t: Tables): Promise<number>;
  insertStop(exec: SqlExecutor, t: Tables, scope: string, reason: string | null): Promise<number>;
  findStop(exec: SqlExecutor, t: Tables, afterId: number, scopes: readonly string[]): Promise<StopRow | undefined>;
  pendingAmong(exec: SqlExecutor, t: Tables, ids: readonly number[]): Promise<{ id: number; runAt: Date }[]>;
  getRow(exec: SqlExecutor, t: Tables, id: number): Promise<TaskRow | undefined>;
  cancelTask(exec: SqlExecutor, t: Tables, id: number, reason: string): Promise<CancelResult | undefined>;
  retryTask(exec: SqlExecutor, t: Tables, id: number): Promise<TaskRow | undefined>;
  deleteFinished(exec: SqlExecutor, t: Tables, status: FinishedStatus, olderThanMs: number, limit: number): Promise<number>;
}

/** Retries a statement the database refused for a transient reason (its lock errors). */
export type TransientRetry = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * The part of every dialect that only forwards to its operation files under its own retry of
 * transient lock errors. Dialects add what differs: setup, inserts, listening.
 */
export abstract class SharedOpsDialect {
  protected constructor(
    protected readonly exec: SqlExecutor,
    protected readonly t: Tables,
    private readonly ops: SharedOps,
    protected readonly transient: TransientRetry,
  ) {}

  claim(req: ClaimRequest) {
    return this.transient(() => this.ops.claimTasks(this.exec, this.t, req));
  }
  finish(workerId: string, outcomes: readonly Outcome[]) {
    return this.transient(() => this.ops.finishTasks(this.exec, this.t, workerId, outcomes));
  }
  renew(workerId: string, ids: readonly number[], leaseMs: number) {
    return this.transient(() => this.ops.renewLeases(this.exec, this.t, workerId, ids, leaseMs));
  }
  release(workerId: string, tasks: readonly HeldTask[], cancelReason: string) {
    return this.transient(() => this.ops.releaseTasks(this.exec, this.t, workerId, tasks, cancelReason));
  }
  reclaimExpired() {
    return this.transient(() => this.ops.reclaimExpired(this.exec, this.t));
  }
  setProgress(workerId: string, task: HeldTask, progress: string, ctx?: SqlContext) {
    // Inside a caller's transaction a retry would replay into a transaction that may be gone.
    if (ctx) return this.ops.setProgress(this.exec, this.t, workerId, task, progress, ctx);
    return this.transient(() => this.ops.setProgress(this.exec, this.t, workerId, task, progress));
  }
  /** Runs `op` on the caller's open transaction `ctx` (never retried: it may be gone), else under the transient retry. */
  private joining<T>(ctx: SqlContext | undefined, op: (exec: SqlExecutor) => Promise<T>): Promise<T> {
    return ctx ? op(this.exec.on(ctx)) : this.transient(() => op(this.exec));
  }
  latestStopId() {
    return this.transient(() => this.ops.latestStopId(this.exec, this.t));
  }
  insertStop(scope: string, reason: string | null, ctx?: SqlContext) {
    return this.joining(ctx, (exec) => this.ops.insertStop(exec, this.t, scope, reason));
  }
  findStop(afterId: number, scopes: readonly string[]) {
    return this.transient(() => this.ops.findStop(this.exec, this.t, afterId, scopes));
  }
  pendingAmong(ids: readonly number[]) {
    return this.transient(() => this.ops.pendingAmong(this.exec, this.t, ids));
  }
  getRow(id: number, ctx?: SqlContext) {
    return this.joining(ctx, (exec) => this.ops.getRow(exec, this.t, id));
  }
  cancel(id: number, reason: string, ctx?: SqlContext) {
    return this.joining(ctx, (exec) => this.ops.cancelTask(exec, this.t, id, reason));
  }
  retry(id: number, ctx?: SqlContext) {
    return this.joining(ctx, (exec) => this.ops.retryTask(exec, this.t, id));
  }
  deleteFinished(status: FinishedStatus, olderThanMs: number, limit: number) {
    return this.transient(() => this.ops.deleteFinished(this.exec, this.t, status, olderThanMs, limit));
  }
}
