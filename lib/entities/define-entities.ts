import { EntitySchema } from '@mikro-orm/core';
import { InvalidOptionError } from '../errors/invalid-option.error.js';
import { checkBoolean, checkKnownKeys, checkObject } from '../options/validators.js';
import { AsyncStop } from './async-stop.entity.js';
import { IdType } from './id-type.js';
import { Task } from './task.entity.js';
import { fullIndexes, partialIndexes } from './task-indexes.js';

/** Table-name prefix used when none is given. Tables: `async_runner_task`, `async_runner_stop`. */
export const DEFAULT_TABLE_PREFIX = 'async_runner_';

/** The two table names for a prefix. */
export function tableNames(prefix: string): { task: string; stop: string } {
  return { task: `${prefix}task`, stop: `${prefix}stop` };
}

/** Collation of the MySQL/MariaDB schemas' matched columns when none is given. */
export const DEFAULT_MYSQL_COLLATION = 'utf8mb4_bin';

const BINARY_COLLATION = /^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*_bin$/;

// Column names are pinned with fieldName so the host's naming strategy cannot rename the
// columns the runner's hand-written SQL relies on. `exact` is the collation of the columns the
// runner's SQL matches by value (undefined: the database's own, exact on SQLite and PostgreSQL).
function taskSchema(prefix: string, partial: boolean, exact: string | undefined): EntitySchema<Task> {
  return new EntitySchema<Task>({
    class: Task,
    tableName: tableNames(prefix).task,
    ...(partial ? partialIndexes(prefix) : fullIndexes(prefix)),
    properties: {
      id: { type: new IdType(), primary: true, autoincrement: true, fieldName: 'id' },
      queue: { type: 'string', length: 64, fieldName: 'queue', default: 'default', collation: exact },
      name: { type: 'string', length: 191, fieldName: 'name', collation: exact },
      payload: { type: 'json', columnType: 'text', fieldName: 'payload', nullable: true },
      status: { type: 'string', length: 16, fieldName: 'status', default: 'pending', collation: exact },
      priority: { type: 'integer', fieldName: 'priority', default: 0 },
      runAt: { type: 'datetime', length: 3, fieldName: 'run_at' },
      attempts: { type: 'integer', fieldName: 'attempts', default: 0 },
      maxAttempts: { type: 'integer', fieldName: 'max_attempts', default: 3 },
      timeoutMs: { type: 'integer', fieldName: 'timeout_ms', nullable: true },
      lastError: { type: 'text', fieldName: 'last_error', nullable: true },
      result: { type: 'json', columnType: 'text', fieldName: 'result', nullable: true },
      progress: { type: 'json', columnType: 'text', fieldName: 'progress', nullable: true },
      uniqueKey: { type: 'string', length: 191, fieldName: 'unique_key', nullable: true, collation: exact },
      scheduleSlot: { type: 'string', length: 255, fieldName: 'schedule_slot', nullable: true, collation: exact },
      lockedBy: { type: 'string', length: 128, fieldName: 'locked_by', nullable: true, collation: exact },
      lockedUntil: { type: 'datetime', length: 3, fieldName: 'locked_until', nullable: true },
      cancelRequested: { type: 'boolean', fieldName: 'cancel_requested', default: false },
      createdAt: { type: 'datetime', length: 3, fieldName: 'created_at' },
      startedAt: { type: 'datetime', length: 3, fieldName: 'started_at', nullable: true },
      finishedAt: { type: 'datetime', length: 3, fieldName: 'finished_at', nullable: true },
    },
  });
}

function stopSchema(prefix: string, exact: string | undefined): EntitySchema<AsyncStop> {
  return new EntitySchema<AsyncStop>({
    class: AsyncStop,
    tableName: tableNames(prefix).stop,
    properties: {
      id: { type: new IdType(), primary: true, autoincrement: true, fieldName: 'id' },
      scope: { type: 'string', length: 191, fieldName: 'scope', default: 'all', collation: exact },
      reason: { type: 'text', fieldName: 'reason', nullable: true },
      createdAt: { type: 'datetime', length: 3, fieldName: 'created_at' },
    },
  });
}

/** Options of {@link asyncRunnerEntities}. */
export interface AsyncRunnerEntitiesOptions {
  /** Prefix of the two tables; pass the same one to `AsyncRunnerModule.forRoot()`. @default 'async_runner_' */
  tablePrefix?: string;
  /**
   * Partial indexes (each indexes only the rows its queries read), for SQLite and PostgreSQL.
   * Set `false` on MySQL and MariaDB, which have none; the runner refuses to start there with
   * partial indexes registered. `false` gives the MySQL/MariaDB schemas, whose matched columns
   * carry a MySQL/MariaDB collation (see `collation`). @default true
   */
  partialIndexes?: boolean;
  /**
   * With `partialIndexes: false`: the binary collation of the columns the runner matches by
   * value (queue, task name, status, unique key, schedule slot, lock owner, stop scope), so
   * that `Report` and `report`, or `café` and `cafe`, never match, as on SQLite and PostgreSQL.
   * `utf8mb4_bin` exists on every supported MySQL and MariaDB but is PAD SPACE: it ignores
   * trailing spaces, so unique keys `'a'` and `'a '` are one key. `utf8mb4_nopad_bin` (MariaDB)
   * or `utf8mb4_0900_bin` (MySQL 8.0.17+) compare those too.
   * @default 'utf8mb4_bin'
   */
  collation?: string;
}

/**
 * Entity schemas for the host's MikroORM config: with a custom table prefix, or on MySQL and
 * MariaDB (`partialIndexes: false`).
 * @throws InvalidOptionError for an unknown key, a non-boolean `partialIndexes`, or a
 * `collation` that is not a `_bin` collation name or comes without `partialIndexes: false`
 *
 * @example
 * MikroOrmModule.forRoot({ entities: [...asyncRunnerEntities({ tablePrefix: 'jobs_' }), User] })
 * MikroOrmModule.forRoot({ driver: MariaDbDriver, entities: [...asyncRunnerEntities({ partialIndexes: false }), User] })
 * MikroOrmModule.forRoot({ driver: MariaDbDriver, entities: [...asyncRunnerEntities({ partialIndexes: false, collation: 'utf8mb4_nopad_bin' }), User] })
 */
export function asyncRunnerEntities(options: AsyncRunnerEntitiesOptions = {}): [EntitySchema<Task>, EntitySchema<AsyncStop>] {
  checkKnownKeys('asyncRunnerEntities', checkObject('asyncRunnerEntities', options), ['tablePrefix', 'partialIndexes', 'collation']);
  const prefix = options.tablePrefix ?? DEFAULT_TABLE_PREFIX;
  const partial = options.partialIndexes === undefined ? true : checkBoolean('asyncRunnerEntities.partialIndexes', options.partialIndexes);
  const exact = partial ? undefined : DEFAULT_MYSQL_COLLATION;
  if (options.collation === undefined) return [taskSchema(prefix, partial, exact), stopSchema(prefix, exact)];
  // SQLite and PostgreSQL already match exactly, and have no collations of these names.
  if (partial) throw new InvalidOptionError('asyncRunnerEntities.collation', 'no collation with partial indexes (collation is for the MySQL/MariaDB schemas, partialIndexes: false)', options.collation);
  // A case-insensitive collation would bring back claims of tasks no handler here can run.
  if (typeof options.collation !== 'string' || !BINARY_COLLATION.test(options.collation)) {
    throw new InvalidOptionError('asyncRunnerEntities.collation', 'a binary collation name ending in _bin, e.g. utf8mb4_nopad_bin', options.collation);
  }
  return [taskSchema(prefix, partial, options.collation), stopSchema(prefix, options.collation)];
}

/**
 * `Task` and `AsyncStop` schemas with the default table prefix and partial indexes, for the
 * host's `entities` list on SQLite and PostgreSQL. On MySQL/MariaDB use
 * `asyncRunnerEntities({ partialIndexes: false })`.
 */
export const ASYNC_RUNNER_ENTITIES = asyncRunnerEntities();
