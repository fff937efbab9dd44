import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { InvalidOptionError, resolveOptions, Task, TaskHandler, TaskStatus } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { eventually } from '../helpers/wait.js';

@Injectable()
class Noop {
  @TaskHandler('noop')
  run() {}
}

const HOUR = 3_600_000;

eachDatabase('retention', (kind) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      kind,
      providers: [Noop],
      runner: { retention: { succeededAfterMs: 1 * HOUR, failedAfterMs: 10 * HOUR, cancelledAfterMs: false, batchSize: 2 } },
    });
  });
  after(() => t.close());

  /** Inserts a row in `status`, finished `hoursAgo` hours ago (null: not finished). */
  const row = async (status: TaskStatus, hoursAgo: number | null) => {
    const task = await t.queue.enqueue('noop', null, { delayMs: 100 * HOUR });
    const finishedAt = hoursAgo === null ? null : new Date(Date.now() - hoursAgo * HOUR);
    await t.orm.em.fork().nativeUpdate(Task, { id: task.id }, { status, finishedAt });
    return task.id;
  };

  it('deletes finished tasks past their status\'s age in bounded batches, never pending or running ones', async () => {
    const oldSucceeded = await Promise.all([2, 3, 4, 5, 6].map((h) => row(TaskStatus.Succeeded, h)));
    const keep = [
      await row(TaskStatus.Succeeded, 0.5),
      await row(TaskStatus.Failed, 5),
      await row(TaskStatus.Cancelled, 1000),
      // Open rows with an (impossible) old finishedAt: the status guard alone protects them.
      await row(TaskStatus.Pending, 1000),
      await row(TaskStatus.Running, 1000),
    ];
    const oldFailed = await row(TaskStatus.Failed, 11);
    assert.deepEqual(await t.runner.pruneFinished(), { succeeded: 5, failed: 1, cancelled: 0 });
    const left = await t.orm.em.fork().find(Task, {}, { orderBy: { id: 'asc' } });
    assert.deepEqual(left.map((r) => Number(r.id)), keep);
    for (const id of [...oldSucceeded, oldFailed]) assert.equal(await t.queue.get(id), null);
    assert.deepEqual(await t.runner.pruneFinished(), { succeeded: 0, failed: 0, cancelled: 0 });
  });

  it('a started runner prunes on its own timer', async () => {
    const timed = await createTestApp({ db: t.db, createSchema: false, providers: [Noop], runner: { retention: { succeededAfterMs: HOUR, intervalMs: 100 } } });
    try {
      const old = await row(TaskStatus.Succeeded, 2);
      await timed.runner.start();
      await eventually(async () => (await t.queue.get(old)) === null, 10_000, 'the retention timer to delete the old task');
    } finally {
      await timed.close();
    }
  });
});

describe('retention options', () => {
  it('defaults to 7/30/7 days in batches of 1000 every minute', () => {
    assert.deepEqual(resolveOptions({}).retention, {
      succeededAfterMs: 7 * 24 * HOUR,
      failedAfterMs: 30 * 24 * HOUR,
      cancelledAfterMs: 7 * 24 * HOUR,
      batchSize: 1000,
      intervalMs: 60_000,
    });
    assert.deepEqual(resolveOptions({ retention: false }).retention, { succeededAfterMs: null, failedAfterMs: null, cancelledAfterMs: null, batchSize: 1000, intervalMs: 60_000 });
  });

  it('names the bad field', () => {
    assert.throws(() => resolveOptions({ retention: { failedAfterMs: -1 } }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'retention.failedAfterMs');
    assert.throws(() => resolveOptions({ retention: { batchSize: 0 } }), /Invalid option "retention.batchSize": expected an integer from 1 to 10000, received 0/);
    assert.throws(() => resolveOptions({ retention: { succeded: 1 } as never }), /Invalid option "retention.succeded": expected one of the known options/);
    assert.throws(() => resolveOptions({ retention: true as never }), /Invalid option "retention": expected an object, received true/);
  });
});
