import { Logger } from '@nestjs/common';
import type { Dialect } from '../dialect.js';
import { SharedOpsDialect } from '../shared-ops-dialect.js';
import { mysqlOps } from './ops.js';
import { checkServerVersion } from '../server-version.js';
import type { SqlContext, SqlExecutor } from '../sql-executor.js';
import { marks, quotedTables } from '../tables.js';
import { tableNames } from '../../entities/define-entities.js';
import type { NewTask } from '../task-row.js';
import { insertScheduled } from './insert-scheduled.js';
import { insertTasks, type InsertIds } from './insert.js';
import { withTransientRetry } from './transient-retry.js';

/** Task columns the runner's SQL matches by value (the stop table's is `scope`). */
const TASK_MATCHED = ['queue', 'name', 'status', 'unique_key', 'schedule_slot', 'locked_by'];

/**
 * MySQL 8 and MariaDB 10.6+: times are DATETIME(3) in UTC from the server clock
 * (UTC_TIMESTAMP(3), which ignores the session time zone); claims lock with FOR UPDATE SKIP
 * LOCKED inside a transaction. MariaDB returns inserted rows with RETURNING; MySQL derives
 * them from insertId.
 */
export class MysqlDialect extends SharedOpsDialect implements Dialect {
  readonly name = 'mysql';
  private ids: InsertIds;
  private readonly tableNames: { task: string; stop: string };

  constructor(exec: SqlExecutor, prefix: string, private readonly flavor: 'mysql' | 'mariadb') {
    super(exec, quotedTables(prefix, '`'), mysqlOps, (fn) => withTransientRetry(fn));
    this.ids = { returning: flavor === 'mariadb', consecutive: false, step: 1 };
    this.tableNames = tableNames(prefix);
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
    await this.checkCollations();
  }

  /**
   * Tables created before the entities declared binary collations compare with the server's
   * default, case- and accent-insensitive on MariaDB: a claim for `echo` also takes `ECHO`,
   * which no handler here runs, and unique keys differing only in case collide. The schema
   * update (or a migration) fixes that; until it runs, say so. Tables not created yet say nothing.
   */
  private async checkCollations(): Promise<void> {
    const { task, stop } = this.tableNames;
    const rows = await this.exec.all<{ t: string; c: string; collation: string }>(
      'SELECT table_name AS t, column_name AS c, collation_name AS collation FROM information_schema.columns WHERE table_schema = DATABASE() ' +
        `AND ((table_name = ? AND column_name IN (${marks(TASK_MATCHED.length)})) OR (table_name = ? AND column_name = 'scope'))`,
      [task, ...TASK_MATCHED, stop],
    );
    const loose = rows.filter((r) => !/_bin$/i.test(String(r.collation)));
    if (loose.length === 0) return;
    new Logger('AsyncRunner').warn(
      `Columns ${loose.map((r) => `${r.t}.${r.c} (${r.collation})`).join(', ')} do not compare text exactly: a runner may claim tasks whose ` +
        'queue or name differs from its own only in case or accents, and such unique keys collide. Update the schema (orm.schema.update() ' +
        "or a migration) to give them the binary collation of asyncRunnerEntities({ partialIndexes: false }).",
    );
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
