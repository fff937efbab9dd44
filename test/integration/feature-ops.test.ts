// Exercises the SQL of the feature operations (cancel, retry, insertScheduled, deleteFinished)
// directly on every database, including the PostgreSQL and MySQL/MariaDB files that are wired
// into their dialects separately. Statuses are set through the ORM, so only the ops' own SQL
// is under test.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { MikroORM } from '@mikro-orm/core';
import { Task } from '../../lib/index.js';
import { SqlExecutor } from '../../lib/dialects/sql-executor.js';
import { quotedTables, type Tables } from '../../lib/dialects/tables.js';
import type { CancelResult, FinishedStatus, NewTask, TaskRow } from '../../lib/dialects/task-row.js';
import { toBool, toDate } from '../../lib/dialects/row-values.js';
import * as sqliteCancel from '../../lib/dialects/sqlite/cancel.js';
import * as sqliteRetry from '../../lib/dialects/sqlite/retry.js';
import * as sqliteScheduled from '../../lib/dialects/sqlite/insert-scheduled.js';
import * as sqliteDelete from '../../lib/dialects/sqlite/delete-finished.js';
import * as pgCancel from '../../lib/dialects/postgres/cancel.js';
import * as pgRetry from '../../lib/dialects/postgres/retry.js';
import * as pgScheduled from '../../lib/dialects/postgres/insert-scheduled.js';
import * as pgDelete from '../../lib/dialects/postgres/delete-finished.js';
import * as myCancel from '../../lib/dialects/mysql/cancel.js';
import * as myRetry from '../../lib/dialects/mysql/retry.js';
import * as myScheduled from '../../lib/dialects/mysql/insert-scheduled.js';
import * as myDelete from '../../lib/dialects/mysql/delete-finished.js';
import { createTestDatabase, type TestDatabase, runnerEntities } from '../helpers/databases.js';
import { eachDatabase } from '../helpers/each-database.js';

interface Ops {
  cancel(exec: SqlExecutor, t: Tables, id: number, reason: string): Promise<CancelResult | undefined>;
  retry(exec: SqlExecutor, t: Tables, id: number): Promise<TaskRow | undefined>;
  insertScheduled(exec: SqlExecutor, t: Tables, task: NewTask, slot: string): Promise<TaskRow | undefined>;
  deleteFinished(exec: SqlExecutor, t: Tables, status: FinishedStatus, olderThanMs: number, limit: number): Promise<number>;
}

const OPS: Record<string, { ops: Ops; quote: '"' | '`' }> = {
  sqlite: { quote: '"', ops: { cancel: sqliteCancel.cancelTask, retry: sqliteRetry.retryTask, insertScheduled: sqliteScheduled.insertScheduled, deleteFinished: sqliteDelete.deleteFinished } },
  postgres: { quote: '"', ops: { cancel: pgCancel.cancelTask, retry: pgRetry.retryTask, insertScheduled: (exec, t, task, slot) => pgScheduled.insertScheduled(exec, t, 'async_runner_task', task, slot), deleteFinished: pgDelete.deleteFinished } },
  mariadb: { quote: '`', ops: { cancel: myCancel.cancelTask, retry: myRetry.retryTask, insertScheduled: myScheduled.insertScheduled, deleteFinished: myDelete.deleteFinished } },
};

const HOUR = 3_600_000;

const newTask = (runAt: Date | null, delayMs = 0): NewTask => ({
  queue: 'default', name: 'job', payload: '{"a":1}', priority: 0, runAt, delayMs, maxAttempts: 3, timeoutMs: null, uniqueKey: null,
});

eachDatabase('feature operations SQL', (kind) => {
  let db: TestDatabase;
  let orm: MikroORM;
  let exec: SqlExecutor;
  let t: Tables;
  const { ops, quote } = OPS[kind]!;

  before(async () => {
    db = await createTestDatabase(kind);
    orm = await MikroORM.init({ ...db.orm, entities: [...runnerEntities(db.kind)], allowGlobalContext: true } as never);
    await orm.schema.create();
    exec = new SqlExecutor(orm);
    t = quotedTables('async_runner_', quote);
  });
  after(async () => {
    await orm.close(true);
    await db.drop();
  });

  const set = (id: number, data: Partial<Task>) => orm.em.fork().nativeUpdate(Task, { id }, data);

  it('insertScheduled inserts a slot once, ever', async () => {
    const slotTime = new Date('2026-01-05T03:00:00.000Z');
    const first = await ops.insertScheduled(exec, t, newTask(slotTime), 'job@2026-01-05T03:00:00.000Z');
    assert.ok(first);
    assert.equal(first.status, 'pending');
    assert.equal(first.schedule_slot, 'job@2026-01-05T03:00:00.000Z');
    assert.equal(toDate(first.run_at)?.toISOString(), slotTime.toISOString());
    assert.equal(await ops.insertScheduled(exec, t, newTask(slotTime), 'job@2026-01-05T03:00:00.000Z'), undefined);
    await set(Number(first.id), { status: 'succeeded', finishedAt: new Date() });
    assert.equal(await ops.insertScheduled(exec, t, newTask(slotTime), 'job@2026-01-05T03:00:00.000Z'), undefined);
    const delayed = await ops.insertScheduled(exec, t, newTask(null, HOUR), 'job@delayed');
    assert.ok(toDate(delayed!.run_at)!.getTime() > Date.now() + HOUR / 2);
    assert.equal(await orm.em.fork().count(Task, {}), 2);
  });

  it('cancel: pending ⇒ cancelled, running ⇒ requested, finished ⇒ none', async () => {
    const pending = await ops.insertScheduled(exec, t, newTask(new Date()), 'cancel-1');
    const res = await ops.cancel(exec, t, Number(pending!.id), 'Task was cancelled.');
    assert.equal(res?.action, 'cancelled');
    assert.equal(res?.row.status, 'cancelled');
    assert.equal(res?.row.last_error, 'Task was cancelled.');
    assert.ok(toDate(res?.row.finished_at));
    assert.equal((await ops.cancel(exec, t, Number(pending!.id), 'x'))?.action, 'none');

    const running = await ops.insertScheduled(exec, t, newTask(new Date()), 'cancel-2');
    await set(Number(running!.id), { status: 'running', lockedBy: 'w1', attempts: 1 });
    const req = await ops.cancel(exec, t, Number(running!.id), 'x');
    assert.equal(req?.action, 'requested');
    assert.equal(req?.row.status, 'running');
    assert.equal(toBool(req?.row.cancel_requested), true);
    assert.equal(await ops.cancel(exec, t, 987_654, 'x'), undefined);
  });

  it('retry: failed or cancelled ⇒ pending with fresh attempts; other states untouched', async () => {
    const failed = await ops.insertScheduled(exec, t, newTask(new Date()), 'retry-1');
    await set(Number(failed!.id), { status: 'failed', attempts: 3, finishedAt: new Date(), lastError: 'boom', cancelRequested: true });
    const row = await ops.retry(exec, t, Number(failed!.id));
    assert.equal(row?.status, 'pending');
    assert.equal(Number(row?.attempts), 0);
    assert.equal(row?.finished_at, null);
    assert.equal(row?.last_error, 'boom');
    assert.equal(toBool(row?.cancel_requested), false);
    assert.equal(await ops.retry(exec, t, Number(failed!.id)), undefined);
  });

  it('deleteFinished deletes one bounded batch of old rows of one status, never open rows', async () => {
    await orm.em.fork().nativeDelete(Task, {});
    const ids: Record<string, number> = {};
    for (const [label, status, hoursAgo] of [
      ['old1', 'succeeded', 5], ['old2', 'succeeded', 6], ['old3', 'succeeded', 7], ['recent', 'succeeded', 0.5],
      ['failedOld', 'failed', 5], ['pendingOld', 'pending', 50], ['runningOld', 'running', 50],
    ] as const) {
      const r = await ops.insertScheduled(exec, t, newTask(new Date()), `del-${label}`);
      ids[label] = Number(r!.id);
      await set(Number(r!.id), { status, finishedAt: new Date(Date.now() - hoursAgo * HOUR) });
    }
    assert.equal(await ops.deleteFinished(exec, t, 'succeeded', HOUR, 2), 2);
    assert.equal(await ops.deleteFinished(exec, t, 'succeeded', HOUR, 2), 1);
    assert.equal(await ops.deleteFinished(exec, t, 'succeeded', HOUR, 2), 0);
    assert.equal(await ops.deleteFinished(exec, t, 'pending' as FinishedStatus, HOUR, 100), 0);
    assert.equal(await ops.deleteFinished(exec, t, 'running' as FinishedStatus, HOUR, 100), 0);
    const left = (await orm.em.fork().find(Task, {}, { orderBy: { id: 'asc' } })).map((r) => Number(r.id));
    assert.deepEqual(left, [ids.recent, ids.failedOld, ids.pendingOld, ids.runningOld]);
  });
}, ['sqlite', 'postgres', 'mariadb']);
