import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskQueue, TaskStatus, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

@Injectable()
class InTransaction {
  constructor(private readonly queue: TaskQueue) {}

  @TaskHandler('progress-in-transaction', { maxAttempts: 1, timeoutMs: 10_000 })
  async progress(_p: unknown, ctx: TaskContext) {
    await ctx.em.transactional(async () => {
      await ctx.progress({ step: 1 });
      // An enqueue without `em` inside the transaction, from the handler.
      await this.queue.enqueue('noop', { from: ctx.taskId });
    });
    return 'done';
  }

  @TaskHandler('noop')
  noop() {}
}

// On SQLite the app and the runner share one connection; a write beside an open transaction
// would wait for it forever. These calls must go through the transaction instead.
eachDatabase(
  'writes inside a handler transaction on SQLite',
  (kind) => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ kind, providers: [InTransaction] });
    });
    after(() => t.close());

    it('ctx.progress() and enqueue() inside ctx.em.transactional() complete instead of freezing the app', async () => {
      const task = await t.queue.enqueue('progress-in-transaction');
      const counts = await within(t.runner.runUntilEmpty(), 15_000, 'runUntilEmpty');
      assert.deepEqual(counts, { succeeded: 2, failed: 0, retried: 0, cancelled: 0 });
      const row = await t.queue.get(task.id);
      assert.equal(row?.status, TaskStatus.Succeeded);
      assert.deepEqual(row?.progress, { step: 1 });
      assert.equal(row?.result, 'done');
    });
  },
  ['sqlite'],
);
