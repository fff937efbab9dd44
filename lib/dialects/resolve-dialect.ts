import type { MikroORM } from '@mikro-orm/core';
import { UnsupportedDriverError } from '../errors/unsupported-driver.error.js';
import type { Dialect } from './dialect.js';
import { SqlExecutor } from './sql-executor.js';
import { MysqlDialect } from './mysql/mysql.dialect.js';
import { PooledPgExecutor } from './postgres/pooled-executor.js';
import { PostgresDialect } from './postgres/postgres.dialect.js';
import { PreparedSqliteExecutor } from './sqlite/prepared-executor.js';
import { SqliteDialect } from './sqlite/sqlite.dialect.js';

/** Dialect constructors by the class name of the host's MikroORM driver. */
const BY_DRIVER: Record<string, (exec: SqlExecutor, prefix: string, orm: MikroORM) => Dialect> = {
  SqliteDriver: (_exec, prefix, orm) => new SqliteDialect(new PreparedSqliteExecutor(orm), prefix),
  PostgreSqlDriver: (_exec, prefix, orm) => new PostgresDialect(new PooledPgExecutor(orm), prefix),
  MySqlDriver: (exec, prefix) => new MysqlDialect(exec, prefix, 'mysql'),
  MariaDbDriver: (exec, prefix) => new MysqlDialect(exec, prefix, 'mariadb'),
};

/** Class names of the MikroORM drivers the runner has SQL for. */
export const SUPPORTED_DRIVERS: readonly string[] = Object.keys(BY_DRIVER);

/** Picks the dialect from the host ORM's driver; unsupported drivers fail with the supported list. */
export function resolveDialect(orm: MikroORM, prefix: string): Dialect {
  const driver = orm.config.getDriver().constructor.name;
  const create = BY_DRIVER[driver];
  if (!create) throw new UnsupportedDriverError(driver);
  return create(new SqlExecutor(orm), prefix, orm);
}
