import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { AsyncStop } from './async-stop.entity.js';
import { Task } from './task.entity.js';

/** Table-name prefix used when none is given. Tables: `async_runner_task`, `async_runner_stop`. */
export const DEFAULT_TABLE_PREFIX = 'async_runner_';

/** The two table names for a prefix. */
export function tableNames(prefix: string): { task: string; stop: string } {
  return { task: `${prefix}task`, stop: `${prefix}stop` };
}

// Ids are BIGINT columns but `number` in JS (as the classes declare and TaskQueue.get takes):
// a plain `columnType: 'bigint'` made MikroORM hydrate them as BigInt for the host's EntityManager.
// Column names are pinned with fieldName so the host's naming strategy cannot rename the
// columns the runner's hand-written SQL relies on.
function taskSchema(prefix: string): EntitySchema<Task> {
  return new EntitySchema<Task>({
    class: Task,
    tableName: tableNames(prefix).task,
    indexes: [
      // Same column order and directions as the claim's WHERE and ORDER BY (priority DESC,
      // run_at, id), so a claim reads the first due rows off the index instead of sorting
      // every pending row of the queue. The expired-lease sweep (status = 'running') uses it
      // too: running rows are only the tasks in flight, so a separate lease index would only
      // add a write to every claim and finish.
      {
        name: `${prefix}task_claim_idx`,
        columns: [{ name: 'status' }, { name: 'queue' }, { name: 'priority', sort: 'DESC' }, { name: 'run_at' }, { name: 'id' }],
      },
      // Retention deletes finished rows by status and age.
      { name: `${prefix}task_finished_idx`, properties: ['status', 'finishedAt'] },
    ],
    uniques: [
      { name: `${prefix}task_unique_key`, properties: ['uniqueKey'] },
      // Never released when the task finishes: a schedule slot yields one task, ever.
      { name: `${prefix}task_schedule_slot`, properties: ['scheduleSlot'] },
    ],
    properties: {
      id: { type: new BigIntType('number'), primary: true, autoincrement: true, fieldName: 'id' },
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
      id: { type: new BigIntType('number'), primary: true, autoincrement: true, fieldName: 'id' },
      scope: { type: 'string', length: 191, fieldName: 'scope', default: 'all' },
      reason: { type: 'text', fieldName: 'reason', nullable: true },
      createdAt: { type: 'datetime', length: 3, fieldName: 'created_at' },
    },
  });
}

/**
 * Entity schemas for the host's MikroORM config when the tables need a custom prefix.
 * Pass the same `tablePrefix` to `AsyncRunnerModule.forRoot()`; the runner checks they match.
 *
 * @example
 * MikroOrmModule.forRoot({ entities: [...asyncRunnerEntities({ tablePrefix: 'jobs_' }), User] })
 */
export function asyncRunnerEntities(options: { tablePrefix?: string } = {}): [EntitySchema<Task>, EntitySchema<AsyncStop>] {
  const prefix = options.tablePrefix ?? DEFAULT_TABLE_PREFIX;
  return [taskSchema(prefix), stopSchema(prefix)];
}

/** `Task` and `AsyncStop` schemas with the default table prefix, for the host's `entities` list. */
export const ASYNC_RUNNER_ENTITIES = asyncRunnerEntities();
