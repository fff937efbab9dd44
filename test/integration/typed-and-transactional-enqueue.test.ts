import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { defineTask, TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { countTasks } from '../helpers/rows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { probeDialect } from '../helpers/dialect-probe.js';
import { deferred, within } from '../helpers/wait.js';

const Resize = defineTask<{ width: number }, { area: number }>('resize', { maxAttempts: 2 });

@Injectable()
class Images {
  widths: number[] = [];
  @TaskHandler(Resize)
  resize(payload: { width: number }, ctx: TaskContext) {
    assert.equal(ctx.maxAttempts, 2);
    this.widths.push(payload.width);
    return { area: payload.width * payload.width };
  }
}

eachDatabase('typed and transactional enqueue', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Images] });
  });
  afterEach(() => t.close());

  it('a defineTask definition names the handler and carries its options', async () => {
    const task = await t.queue.enqueue(Resize, { width: 3 });
    assert.equal(task.name, 'resize');
    assert.equal(task.maxAttempts, 2);
    await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    const done = await t.queue.get<{ width: number }, { area: number }>(task.id);
    assert.equal(done?.status, TaskStatus.Succeeded);
    assert.deepEqual(done?.result, { area: 9 });
  });

  it('an enqueue inside a rolled-back transaction leaves no task; a committed one does', async () => {
    await assert.rejects(
      t.orm.em.fork().transactional(async (em) => {
        await t.queue.enqueue(Resize, { width: 1 }, { em });
        throw new Error('roll back');
      }),
      { message: 'roll back' },
    );
    assert.equal(await countTasks(t.orm), 0);
    await t.orm.em.fork().transactional(async (em) => {
      await t.queue.enqueue(Resize, { width: 2 }, { em });
    });
    assert.equal(await countTasks(t.orm), 1);
    await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.deepEqual(t.app.get(Images).widths, [2]);
  });

  it('a running runner never claims a task from a transaction that is still open and later rolls back', async () => {
    await t.runner.start();
    let claimsDuringTransaction = 0;
    let inTransaction = false;
    const claimTried = deferred();
    probeDialect(t.app, 'claim', {
      onCall: () => {
        if (inTransaction) {
          claimsDuringTransaction++;
          claimTried.resolve();
        }
      },
    });
    await assert.rejects(
      t.orm.em.fork().transactional(async (em) => {
        inTransaction = true;
        await t.queue.enqueue(Resize, { width: 7 }, { em });
        // The poll makes the runner claim while this transaction is open. On SQLite the one
        // connection belongs to this transaction, so the runner cannot reach the database at all
        // until it ends; there, only the outcome below is checked.
        if (kind !== 'sqlite') await within(claimTried.promise, 10_000, 'a claim attempt during the transaction');
        inTransaction = false;
        throw new Error('roll back');
      }),
      { message: 'roll back' },
    );
    if (kind !== 'sqlite') assert.ok(claimsDuringTransaction >= 1);
    await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    await t.runner.stop();
    assert.deepEqual(t.app.get(Images).widths, []);
    assert.equal(await countTasks(t.orm), 0);
  });
});
