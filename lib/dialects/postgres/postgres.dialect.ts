import { tableNames } from '../../entities/define-entities.js';
import type { Dialect } from '../dialect.js';
import { SharedOpsDialect } from '../shared-ops-dialect.js';
import { postgresOps } from './ops.js';
import { checkServerVersion } from '../server-version.js';
import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { quotedTables } from '../tables.js';
import type { NewTask } from '../task-row.js';
import { insertScheduled } from './insert-scheduled.js';
import { insertTasks, ROWS_PER_INSERT } from './insert.js';
import { PgListener } from './pg-listener.js';
import { withTransientRetry } from './transient-retry.js';

/**
 * PostgreSQL: times are timestamptz taken from the server clock (`now()`), claims lock with
 * FOR UPDATE SKIP LOCKED, and enqueues NOTIFY a channel named after the task table so idle
 * runners in other processes wake at once.
 */
export class PostgresDialect extends SharedOpsDialect implements Dialect {
  readonly name = 'postgresql';
  private readonly channel: string;

  constructor(exec: SqlExecutor, prefix: string) {
    super(exec, quotedTables(prefix, '"'), postgresOps, (fn) => withTransientRetry(fn));
    this.channel = tableNames(prefix).task;
  }

  async prepare(): Promise<void> {
    await this.exec.connect();
    const [row] = await this.exec.all<{ server_version: string }>('SHOW server_version');
    checkServerVersion('postgresql', String(row?.server_version ?? ''));
  }

  insert(tasks: readonly NewTask[], ctx?: SqlContext) {
    // Inside the caller's transaction an error aborts that transaction, so only standalone inserts retry.
    if (ctx) return insertTasks(this.exec, this.t, this.channel, tasks, ctx);
    // Several chunks go in one transaction: all or nothing, and a retry after a deadlock
    // cannot insert again the chunks an earlier try had committed.
    if (tasks.length > ROWS_PER_INSERT) return withTransientRetry(() => this.exec.transaction((trx) => insertTasks(this.exec, this.t, this.channel, tasks, trx)));
    // One chunk is one INSERT, committed at once; only items whose key was released meanwhile
    // follow in another, so each statement is retried alone and a committed one never runs again.
    return insertTasks(this.exec, this.t, this.channel, tasks, undefined, (statement) => withTransientRetry(statement));
  }
  insertScheduled(task: NewTask, slot: string) {
    return withTransientRetry(() => insertScheduled(this.exec, this.t, this.channel, task, slot));
  }
  async listen(onNotify: (queue: string | null) => void): Promise<() => Promise<void>> {
    const listener = new PgListener(this.exec, this.channel, onNotify);
    await listener.open();
    return () => listener.close();
  }
}
