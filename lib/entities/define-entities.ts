import { EntitySchema } from '@mikro-orm/core';
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

// Column names are pinned with fieldName so the host's naming strategy cannot rename the
// columns the runner's hand-written SQL relies on.
function taskSchema(prefix: string, partial: boolean): EntitySchema<Task> {
  return new EntitySchema<Task>({
    class: Task,
    tableName: tableNames(prefix).task,
    ...(partial ? partialIndexes(prefix) : fullIndexes(prefix)),
    properties: {
      id: { type: new IdType(), primary: true, autoincrement: true, fieldName: 'id' },
      queue: { type: 'string', length: 64, fieldName: 'queue', default: 'default' },
      name: { type: 'string', length: 191, fieldName: 'name' },
      payload: { type: 'json', columnType: 'text', fieldName: 'payload', nullable: true },
      status: { type: 'string', length: 16, fieldName: 'status', default: 'pending' },
      priority: { type: 'integer', fieldName: 'priority', default: 0 },
      runAt: { type: 'datetime', length: 3, fieldName: 'run_at' },
      attempts: { type: 'integer', fieldName: 'attempts', default: 0 },
      maxAttempts: { type: 'integer', fieldName: 'max_attempts', default: 3 },
      timeoutMs: { type: 'integer', fieldName: 'timeout_ms', nullable: true },
      lastError: { type: 'text', fieldName: 'last_error', nullable: true },
      result: { type: 'json', columnType: 'text', fieldName: 'result', nullable: true },
      progress: { type: 'json', columnType: 'text', fieldName: 'progress', nullable: true },
      uniqueKey: { type: 'string', length: 191, fieldName: 'unique_key', nullable: true },
      scheduleSlot: { type: 'string', length: 255, fieldName: 'schedule_slot', nullable: true },
      lockedBy: { type: 'string', length: 128, fieldName: 'locked_by', nullable: true },
      lockedUntil: { type: 'datetime', length: 3, fieldName: 'locked_until', nullable: true },
      cancelRequested: { type: 'boolean', fieldName: 'cancel_requested', default: false },
      createdAt: { type: 'datetime', length: 3, fieldName: 'created_at' },
      startedAt: { type: 'datetime', length: 3, fieldName: 'started_at', nullable: true },
      finishedAt: { type: 'datetime', length: 3, fieldName: 'finished_at', nullable: true },
    },
  });
}

function stopSchema(prefix: string): EntitySchema<AsyncStop> {
  return new EntitySchema<AsyncStop>({
    class: AsyncStop,
    tableName: tableNames(prefix).stop,
    properties: {
      id: { type: new IdType(), primary: true, autoincrement: true, fieldName: 'id' },
      scope: { type: 'string', length: 191, fieldName: 'scope', default: 'all' },
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
   * partial indexes registered. @default true
   */
  partialIndexes?: boolean;
}

/**
 * Entity schemas for the host's MikroORM config: with a custom table prefix, or on MySQL and
 * MariaDB (`partialIndexes: false`).
 * @throws InvalidOptionError for an unknown key or a non-boolean `partialIndexes`
 *
 * @example
 * MikroOrmModule.forRoot({ entities: [...asyncRunnerEntities({ tablePrefix: 'jobs_' }), User] })
 * MikroOrmModule.forRoot({ driver: MariaDbDriver, entities: [...asyncRunnerEntities({ partialIndexes: false }), User] })
 */
export function asyncRunnerEntities(options: AsyncRunnerEntitiesOptions = {}): [EntitySchema<Task>, EntitySchema<AsyncStop>] {
  checkKnownKeys('asyncRunnerEntities', checkObject('asyncRunnerEntities', options), ['tablePrefix', 'partialIndexes']);
  const prefix = options.tablePrefix ?? DEFAULT_TABLE_PREFIX;
  const partial = options.partialIndexes === undefined ? true : checkBoolean('asyncRunnerEntities.partialIndexes', options.partialIndexes);
  return [taskSchema(prefix, partial), stopSchema(prefix)];
}

/**
 * `Task` and `AsyncStop` schemas with the default table prefix and partial indexes, for the
 * host's `entities` list on SQLite and PostgreSQL. On MySQL/MariaDB use
 * `asyncRunnerEntities({ partialIndexes: false })`.
 */
export const ASYNC_RUNNER_ENTITIES = asyncRunnerEntities();
