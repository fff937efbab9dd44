import type { ClaimRequest, Dialect } from '../dialect.js';
import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { quotedTables, type Tables } from '../tables.js';
import type { FinishedStatus, NewTask, Outcome } from '../task-row.js';
import { withBusyRetry } from './busy-retry.js';
import { cancelTask } from './cancel.js';
import { claimTasks } from './claim.js';
import { deleteFinished } from './delete-finished.js';
import { finishTasks } from './finish.js';
import { insertScheduled } from './insert-scheduled.js';
import { insertTasks } from './insert.js';
import { setProgress } from './progress.js';
import { getRow, pendingAmong } from './read-tasks.js';
import { reclaimExpired } from './reclaim-expired.js';
import { renewLeases } from './renew.js';
import { retryTask } from './retry.js';
import { findStop, insertStop, latestStopId } from './stops.js';

/**
 * SQLite: times are epoch milliseconds (as MikroORM stores Dates there) taken from this
 * host's clock, which every process on one file shares.
 */
export class SqliteDialect implements Dialect {
  readonly name = 'sqlite';
  private readonly t: Tables;

  constructor(private readonly exec: SqlExecutor, prefix: string) {
    this.t = quotedTables(prefix, '"');
  }

  async prepare(): Promise<void> {
    await this.exec.connect();
    // WAL lets readers run beside the one writer; the busy timeout makes writers queue
    // instead of failing at once. Both are per file / per connection and harmless to repeat.
    const mode = await this.exec.all<{ journal_mode: string }>('PRAGMA journal_mode = WAL');
    if (mode[0]?.journal_mode !== 'wal' && mode[0]?.journal_mode !== 'memory') {
      throw new Error(`SQLite refused WAL mode (journal_mode is ${mode[0]?.journal_mode}); the runner needs it for concurrent access.`);
    }
    await this.exec.all('PRAGMA busy_timeout = 5000');
  }

  insert(tasks: readonly NewTask[], ctx?: SqlContext) {
    // Inside the caller's transaction a retry would replay into a transaction SQLite may have
    // rolled back, so only standalone inserts retry.
    return ctx ? insertTasks(this.exec, this.t, tasks, ctx) : withBusyRetry(() => insertTasks(this.exec, this.t, tasks));
  }
  claim(req: ClaimRequest) {
    return withBusyRetry(() => claimTasks(this.exec, this.t, req));
  }
  finish(workerId: string, outcomes: readonly Outcome[]) {
    return withBusyRetry(() => finishTasks(this.exec, this.t, workerId, outcomes));
  }
  renew(workerId: string, ids: readonly number[], leaseMs: number) {
    return withBusyRetry(() => renewLeases(this.exec, this.t, workerId, ids, leaseMs));
  }
  reclaimExpired() {
    return withBusyRetry(() => reclaimExpired(this.exec, this.t));
  }
  setProgress(workerId: string, id: number, progress: string, ctx?: SqlContext) {
    return ctx ? setProgress(this.exec, this.t, workerId, id, progress, ctx) : withBusyRetry(() => setProgress(this.exec, this.t, workerId, id, progress));
  }
  latestStopId() {
    return withBusyRetry(() => latestStopId(this.exec, this.t));
  }
  insertStop(scope: string, reason: string | null) {
    return withBusyRetry(() => insertStop(this.exec, this.t, scope, reason));
  }
  findStop(afterId: number, scopes: readonly string[]) {
    return withBusyRetry(() => findStop(this.exec, this.t, afterId, scopes));
  }
  pendingAmong(ids: readonly number[]) {
    return withBusyRetry(() => pendingAmong(this.exec, this.t, ids));
  }
  getRow(id: number) {
    return withBusyRetry(() => getRow(this.exec, this.t, id));
  }
  cancel(id: number, reason: string) {
    return withBusyRetry(() => cancelTask(this.exec, this.t, id, reason));
  }
  retry(id: number) {
    return withBusyRetry(() => retryTask(this.exec, this.t, id));
  }
  insertScheduled(task: NewTask, slot: string) {
    return withBusyRetry(() => insertScheduled(this.exec, this.t, task, slot));
  }
  deleteFinished(status: FinishedStatus, olderThanMs: number, limit: number) {
    return withBusyRetry(() => deleteFinished(this.exec, this.t, status, olderThanMs, limit));
  }
}
