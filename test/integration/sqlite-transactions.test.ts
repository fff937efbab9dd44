import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { OnTaskEvent, TaskHandler, TaskQueue, TaskStatus, WaitInTransactionError, type TaskContext, type TaskEvent } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

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

/** Reports progress and reads its own row, recording how each went. */
@Injectable()
class Reporter {
  constructor(private readonly queue: TaskQueue) {}
  out = deferred<{ progress: string; get: string }>();
  @TaskHandler('report')
  async run(_p: unknown, ctx: TaskContext) {
    const progress = await ctx.progress(50).then(() => 'ok', (e: unknown) => `threw ${String(e)}`);
    const get = await this.queue.get(ctx.taskId).then((r) => `ok ${r?.status}`, (e: unknown) => `threw ${String(e)}`);
    this.out.resolve({ progress, get });
  }
}

/** Runs until the test releases it, recording an abort. */
@Injectable()
class Waits {
  started = deferred<number>();
  release = deferred();
  aborted: unknown;
  cancelledEvents: number[] = [];
  @TaskHandler('waits')
  async run(_p: unknown, ctx: TaskContext) {
    this.started.resolve(ctx.taskId);
    ctx.signal.addEventListener('abort', () => (this.aborted = ctx.signal.reason), { once: true });
    await this.release.promise;
    return 'done';
  }
  @OnTaskEvent('cancelled')
  onCancelled(e: TaskEvent) {
    this.cancelledEvents.push(e.task.id);
  }
}

// On SQLite the app and the runner share one connection; a write beside an open transaction
// would wait for it forever. These calls must go through the transaction instead.
eachDatabase(
  'writes inside a handler transaction on SQLite',
  (kind) => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ kind, providers: [InTransaction, Reporter, Waits] });
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

    it('get, cancel, retry, waitFor and requestStop inside an app transaction answer instead of waiting for it forever', async () => {
      const later = await t.queue.enqueue('noop', null, { delayMs: 600_000 });
      const other = await t.queue.enqueue('noop', null, { delayMs: 600_000 });
      const seen = await within(
        t.orm.em.fork().transactional(async () => {
          const read = await t.queue.get(later.id);
          const cancelled = await t.queue.cancel(later.id);
          const finished = await t.queue.waitFor(later.id, { timeoutMs: 1000 });
          const refused = await t.queue.waitFor(other.id, { timeoutMs: 60_000 }).catch((e: unknown) => e);
          const retried = await t.queue.retry(later.id);
          await t.queue.requestStop('in a transaction', 'queue:nowhere');
          return { read: read?.status, cancelled: cancelled.status, finished: finished.status, refused, retried: retried.status };
        }),
        10_000,
        'the transaction',
      );
      assert.equal(seen.read, TaskStatus.Pending);
      assert.equal(seen.cancelled, TaskStatus.Cancelled);
      assert.equal(seen.finished, TaskStatus.Cancelled);
      assert.ok(seen.refused instanceof WaitInTransactionError, String(seen.refused));
      assert.equal(seen.refused.taskId, other.id);
      assert.equal(seen.refused.status, 'pending');
      assert.equal(seen.retried, TaskStatus.Pending);
      // Written through the transaction, and committed with it.
      assert.equal((await t.queue.get(later.id))?.status, TaskStatus.Pending);
      const stops = await t.orm.em.fork().getConnection().execute('select reason from async_runner_stop');
      assert.deepEqual(stops.map((r: { reason: string }) => r.reason), ['in a transaction']);
    });

    it('writes made through a transaction that rolls back are undone', async () => {
      const task = await t.queue.enqueue('noop', null, { delayMs: 600_000 });
      await assert.rejects(
        within(
          t.orm.em.fork().transactional(async () => {
            await t.queue.cancel(task.id);
            throw new Error('roll back');
          }),
          10_000,
          'the transaction',
        ),
        /roll back/,
      );
      assert.equal((await t.queue.get(task.id))?.status, TaskStatus.Pending);
    });

    it('a handler the runner starts on a commit wake does not inherit that finished transaction', async () => {
      await t.runner.start();
      await t.runner.runUntilEmpty(); // idle: the commit's wake is what starts the task
      await t.orm.em.fork().transactional(async (em) => {
        await t.queue.enqueue('report', undefined, { em });
      });
      const out = await within(t.app.get(Reporter).out.promise, 10_000, 'the handler');
      await within(t.runner.stop(), 10_000, 'stop()');
      assert.deepEqual(out, { progress: 'ok', get: 'ok running' });
    });

    it('code that outlives its transaction reads through the connection again, not the finished transaction', async () => {
      const task = await t.queue.enqueue('noop', null, { delayMs: 600_000 });
      const committed = deferred();
      let later!: Promise<unknown>;
      await t.orm.em.fork().transactional(async () => {
        // Continues in this transaction's async context, after it has committed.
        later = committed.promise.then(async () => [(await t.queue.get(task.id))?.status, (await t.queue.cancel(task.id)).status]);
      });
      committed.resolve();
      assert.deepEqual(await within(later, 10_000, 'the later calls'), [TaskStatus.Pending, TaskStatus.Cancelled]);
    });

    it('a cancel that rolls back with its transaction aborts no handler and emits no event', async () => {
      const h = t.app.get(Waits);
      h.cancelledEvents = [];
      const running = await t.queue.enqueue('waits');
      await t.runner.start();
      await within(h.started.promise, 10_000, 'the handler');
      const pending = await t.queue.enqueue('noop', null, { delayMs: 600_000 });
      await assert.rejects(
        t.orm.em.fork().transactional(async () => {
          assert.equal((await t.queue.cancel(running.id)).status, TaskStatus.Running);
          assert.equal((await t.queue.cancel(pending.id)).status, TaskStatus.Cancelled);
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal(h.aborted, undefined);
      assert.deepEqual(h.cancelledEvents, []);
      assert.equal((await t.queue.get(pending.id))?.status, TaskStatus.Pending);
      h.release.resolve();
      const done = await t.queue.waitFor(running.id, { timeoutMs: 10_000 });
      assert.equal(done.status, TaskStatus.Succeeded);
      assert.equal(h.aborted, undefined);
      await within(t.runner.stop(), 10_000, 'stop()');
    });
  },
  ['sqlite'],
);
