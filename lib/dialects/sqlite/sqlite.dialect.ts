import type { Dialect } from '../dialect.js';
import { SharedOpsDialect } from '../shared-ops-dialect.js';
import { sqliteOps } from './ops.js';
import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { quotedTables } from '../tables.js';
import type { NewTask } from '../task-row.js';
import { withBusyRetry } from './busy-retry.js';
import { insertScheduled } from './insert-scheduled.js';
import { insertTasks, ROWS_PER_INSERT } from './insert.js';

/**
 * SQLite: times are epoch milliseconds (as MikroORM stores Dates there) taken from this
 * host's clock, which every process on one file shares.
 */
export class SqliteDialect extends SharedOpsDialect implements Dialect {
  readonly name = 'sqlite';

  constructor(exec: SqlExecutor, prefix: string) {
    super(exec, quotedTables(prefix, '"'), sqliteOps, (fn) => withBusyRetry(fn));
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
    if (ctx) return insertTasks(this.exec, this.t, tasks, ctx);
    // Several chunks go in one transaction: all or nothing, and a retry after a busy error
    // cannot insert again the chunks an earlier try had committed.
    if (tasks.length > ROWS_PER_INSERT) return withBusyRetry(() => this.exec.transaction((trx) => insertTasks(this.exec, this.t, tasks, trx)));
    // One chunk is one INSERT, committed at once; only items whose key was released meanwhile
    // follow in another, so each statement is retried alone and a committed one never runs again.
    return insertTasks(this.exec, this.t, tasks, undefined, (statement) => withBusyRetry(statement));
  }
  insertScheduled(task: NewTask, slot: string) {
    return withBusyRetry(() => insertScheduled(this.exec, this.t, task, slot));
  }
}
