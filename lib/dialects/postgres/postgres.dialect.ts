import { tableNames } from '../../entities/define-entities.js';
import type { ClaimRequest, Dialect } from '../dialect.js';
import { checkServerVersion } from '../server-version.js';
import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { quotedTables, type Tables } from '../tables.js';
import type { FinishedStatus, NewTask, Outcome } from '../task-row.js';
import { cancelTask } from './cancel.js';
import { deleteFinished } from './delete-finished.js';
import { insertScheduled } from './insert-scheduled.js';
import { retryTask } from './retry.js';
import { claimTasks } from './claim.js';
import { finishTasks } from './finish.js';
import { insertTasks } from './insert.js';
import { PgListener } from './pg-listener.js';
import { setProgress } from './progress.js';
import { getRow, pendingAmong } from './read-tasks.js';
import { reclaimExpired } from './reclaim-expired.js';
import { renewLeases } from './renew.js';
import { findStop, insertStop, latestStopId } from './stops.js';
import { withTransientRetry } from './transient-retry.js';

/**
 * PostgreSQL: times are timestamptz taken from the server clock (`now()`), claims lock with
 * FOR UPDATE SKIP LOCKED, and enqueues NOTIFY a channel named after the task table so idle
 * runners in other processes wake at once.
 */
export class PostgresDialect implements Dialect {
  readonly name = 'postgresql';
  private readonly t: Tables;
  private readonly channel: string;

  constructor(private readonly exec: SqlExecutor, prefix: string) {
    this.t = quotedTables(prefix, '"');
    this.channel = tableNames(prefix).task;
  }

  async prepare(): Promise<void> {
    await this.exec.connect();
    const [row] = await this.exec.all<{ server_version: string }>('SHOW server_version');
    checkServerVersion('postgresql', String(row?.server_version ?? ''));
  }

  insert(tasks: readonly NewTask[], ctx?: SqlContext) {
    // Inside the caller's transaction an error aborts that transaction, so only standalone inserts retry.
    return ctx ? insertTasks(this.exec, this.t, this.channel, tasks, ctx) : withTransientRetry(() => insertTasks(this.exec, this.t, this.channel, tasks));
  }
  claim(req: ClaimRequest) {
    return withTransientRetry(() => claimTasks(this.exec, this.t, req));
  }
  finish(workerId: string, outcomes: readonly Outcome[]) {
    return withTransientRetry(() => finishTasks(this.exec, this.t, workerId, outcomes));
  }
  renew(workerId: string, ids: readonly number[], leaseMs: number) {
    return withTransientRetry(() => renewLeases(this.exec, this.t, workerId, ids, leaseMs));
  }
  reclaimExpired() {
    return withTransientRetry(() => reclaimExpired(this.exec, this.t));
  }
  setProgress(workerId: string, id: number, progress: string) {
    return withTransientRetry(() => setProgress(this.exec, this.t, workerId, id, progress));
  }
  latestStopId() {
    return latestStopId(this.exec, this.t);
  }
  insertStop(scope: string, reason: string | null) {
    return insertStop(this.exec, this.t, scope, reason);
  }
  findStop(afterId: number, scopes: readonly string[]) {
    return findStop(this.exec, this.t, afterId, scopes);
  }
  pendingAmong(ids: readonly number[]) {
    return pendingAmong(this.exec, this.t, ids);
  }
  getRow(id: number) {
    return getRow(this.exec, this.t, id);
  }
  cancel(id: number, reason: string) {
    return withTransientRetry(() => cancelTask(this.exec, this.t, id, reason));
  }
  retry(id: number) {
    return withTransientRetry(() => retryTask(this.exec, this.t, id));
  }
  insertScheduled(task: NewTask, slot: string) {
    return withTransientRetry(() => insertScheduled(this.exec, this.t, this.channel, task, slot));
  }
  deleteFinished(status: FinishedStatus, olderThanMs: number, limit: number) {
    return withTransientRetry(() => deleteFinished(this.exec, this.t, status, olderThanMs, limit));
  }
  async listen(onNotify: (queue: string | null) => void): Promise<() => Promise<void>> {
    const listener = new PgListener(this.exec, this.channel, onNotify);
    await listener.open();
    return () => listener.close();
  }
}
