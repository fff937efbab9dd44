import { Logger } from '@nestjs/common';
import type { Dialect } from '../dialect.js';
import { SharedOpsDialect } from '../shared-ops-dialect.js';
import { mysqlOps } from './ops.js';
import { checkServerVersion } from '../server-version.js';
import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { quotedTables } from '../tables.js';
import type { NewTask } from '../task-row.js';
import { insertScheduled } from './insert-scheduled.js';
import { insertTasks, type InsertIds } from './insert.js';
import { withTransientRetry } from './transient-retry.js';

/**
 * MySQL 8 and MariaDB 10.6+: times are DATETIME(3) in UTC from the server clock
 * (UTC_TIMESTAMP(3), which ignores the session time zone); claims lock with FOR UPDATE SKIP
 * LOCKED inside a transaction. MariaDB returns inserted rows with RETURNING; MySQL derives
 * them from insertId.
 */
export class MysqlDialect extends SharedOpsDialect implements Dialect {
  readonly name = 'mysql';
  private ids: InsertIds;

  constructor(exec: SqlExecutor, prefix: string, private readonly flavor: 'mysql' | 'mariadb') {
    super(exec, quotedTables(prefix, '`'), mysqlOps, (fn) => withTransientRetry(fn));
    this.ids = { returning: flavor === 'mariadb', consecutive: false, step: 1 };
  }

  async prepare(): Promise<void> {
    await this.exec.connect();
    const [vars] = await this.exec.all<{ version: string; lock_mode: number | string; step: number | string }>(
      'SELECT VERSION() AS version, @@innodb_autoinc_lock_mode AS lock_mode, @@auto_increment_increment AS step',
    );
    const mariadb = checkServerVersion('mysql', String(vars?.version ?? '')) === 'mariadb';
    // Lock modes 0 and 1 give a simple multi-row INSERT consecutive ids; mode 2 (MySQL 8's
    // default) may interleave them with other inserts, so rows then go in one at a time.
    // MySqlDriver gets MySQL semantics (no INSERT … RETURNING) even when pointed at MariaDB.
    this.ids = { returning: this.flavor === 'mariadb' && mariadb, consecutive: Number(vars?.lock_mode) < 2, step: Number(vars?.step ?? 1) };
    this.checkTimezone();
  }

  /**
   * The runner writes and reads UTC text itself, so its own times are right whatever the
   * ORM's timezone; but Task dates read through the host's EntityManager are only right
   * when MikroORM also stores UTC (its default, `forceUtcTimezone: true`).
   */
  private checkTimezone(): void {
    const tz = this.exec.config('timezone') as string | undefined;
    const forceUtc = this.exec.config('forceUtcTimezone') === true;
    const effective = tz ?? (forceUtc ? 'Z' : 'local');
    const utc = ['Z', 'z', '+00:00', '-00:00', 'UTC'].includes(effective) || (effective === 'local' && new Date().getTimezoneOffset() === 0);
    if (!utc) {
      new Logger('AsyncRunner').warn(
        `MikroORM stores dates in time zone "${effective}", but the runner stores task times in UTC. Task dates read through ` +
          'an EntityManager will be shifted; set forceUtcTimezone: true (the default) and leave timezone unset.',
      );
    }
  }

  insert(tasks: readonly NewTask[], ctx?: SqlContext) {
    // Inside the caller's transaction a deadlock rolls that transaction back, so only standalone inserts retry.
    if (ctx) return insertTasks(this.exec, this.t, this.ids, tasks, ctx);
    return withTransientRetry(() => (tasks.length > 1 ? this.exec.transaction((trx) => insertTasks(this.exec, this.t, this.ids, tasks, trx)) : insertTasks(this.exec, this.t, this.ids, tasks)));
  }
  insertScheduled(task: NewTask, slot: string) {
    return withTransientRetry(() => insertScheduled(this.exec, this.t, task, slot));
  }
}
