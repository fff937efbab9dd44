import { BigIntType, type EntityProperty, type Platform } from '@mikro-orm/core';

/**
 * Type of the runner's primary keys: BIGINT on PostgreSQL and MySQL/MariaDB, INTEGER on SQLite,
 * hydrated as a JS `number` (what the entity classes declare and `TaskQueue.get` takes).
 */
export class IdType extends BigIntType<'number'> {
  constructor() {
    // A plain `columnType: 'bigint'` made MikroORM hydrate ids as BigInt for the host's EntityManager.
    super('number');
  }

  override getColumnType(prop: EntityProperty, platform: Platform): string {
    // SQLite takes AUTOINCREMENT only on an INTEGER PRIMARY KEY, so MikroORM writes INTEGER
    // there whatever the declared type. Its schema diff compares the declared type instead,
    // saw BIGINT against INTEGER, and rebuilt both tables (copying every row) on each update.
    if (platform.getConfig()?.getDriver()?.constructor.name === 'SqliteDriver') return 'integer';
    return super.getColumnType(prop, platform);
  }
}
