import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { LeaseLostError, TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import type { Dialect } from '../../lib/dialects/dialect.js';
import { DIALECT } from '../../lib/dialects/dialect.provider.js';
import { eachDatabase } from '../helpers/each-database.js';
import { expireLease } from '../helpers/rows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, eventually, within } from '../helpers/wait.js';

/** Attempt 1 waits until the test releases it; later attempts return at once. */
@Injectable()
class Reclaimed {
  readonly firstStarted = deferred();
  readonly releaseFirst = deferred();
  readonly secondStarted = deferred();
  readonly releaseSecond = deferred();
  firstAbortReason: unknown;
  firstDone = false;
  @TaskHandler('reclaimed', { maxAttempts: 5 })
  async run(_p: unknown, ctx: TaskContext) {
    if (ctx.attempt === 1) {
      this.firstStarted.resolve();
      await this.releaseFirst.promise;
      this.firstAbortReason = ctx.signal.aborted ? ctx.signal.reason : undefined;
      this.firstDone = true;
      return { attempt: 1 };
    }
    this.secondStarted.resolve();
    await this.releaseSecond.promise;
    return { attempt: ctx.attempt };
  }
}

/** One attempt only: the first run waits for the test, then reports progress; the second returns at once. */
@Injectable()
class RetriedAfterLoss {
  runs = 0;
  readonly firstStarted = deferred();
  readonly releaseFirst = deferred();
  readonly secondStarted = deferred();
  readonly releaseSecond = deferred();
  readonly firstProgress = deferred<unknown>();
  @TaskHandler('retried-after-loss', { maxAttempts: 1 })
  async run(_p: unknown, ctx: TaskContext) {
    if (++this.runs === 1) {
      this.firstStarted.resolve();
      await this.releaseFirst.promise;
      this.firstProgress.resolve(await ctx.progress('stale').then(() => 'written', (error: unknown) => error));
      return 'stale';
    }
    this.secondStarted.resolve();
    await this.releaseSecond.promise;
    return 'fresh';
  }
}

eachDatabase('same worker re-claims its own expired task', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    // Renewal far apart, so the sweep (called by the test) takes the lease back before any renewal notices.
    t = await createTestApp({ kind, providers: [Reclaimed, RetriedAfterLoss], runner: { leaseMs: 600_000, leaseRenewIntervalMs: 300_000, sweepIntervalMs: 300_000, pollIntervalMs: 50 } });
  });
  afterEach(() => t.close());

  it("stops the earlier attempt, never writes its outcome, and keeps tracking the new one", async () => {
    const h = t.app.get(Reclaimed);
    const task = await t.queue.enqueue('reclaimed');
    await t.runner.start();
    await within(h.firstStarted.promise, 10_000, 'attempt 1 to start');
    // What a stalled event loop leads to: the lease runs out and the sweep takes the task back.
    const dialect = t.app.get<Dialect>(DIALECT);
    await expireLease(t.orm, kind, task.id);
    assert.equal(await dialect.reclaimExpired(), 1);
    await within(h.secondStarted.promise, 10_000, 'attempt 2 to start in the same worker');
    // Attempt 1 is told its lease is gone; its late return is not written.
    h.releaseFirst.resolve();
    await eventually(async () => (h.firstDone ? true : undefined), 10_000, 'attempt 1 to settle');
    assert.ok(h.firstAbortReason instanceof LeaseLostError, `attempt 1 was aborted with ${String(h.firstAbortReason)}`);
    await eventually(async () => (t.runner.status.inFlight === 1 ? true : undefined), 10_000, 'only attempt 2 in flight');
    const mid = await t.queue.get(task.id);
    assert.equal(mid?.status, TaskStatus.Running);
    assert.equal(mid?.attempts, 2);
    assert.equal(mid?.result, null);
    h.releaseSecond.resolve();
    const done = await within(t.queue.waitFor(task.id, { timeoutMs: 10_000 }), 15_000, 'the task to finish');
    assert.equal(done.status, TaskStatus.Succeeded);
    assert.deepEqual(done.result, { attempt: 2 });
  });

  it('a retry() after a lost last attempt restarts the attempt count, yet the stale run can write no progress', async () => {
    const h = t.app.get(RetriedAfterLoss);
    const task = await t.queue.enqueue('retried-after-loss');
    await t.runner.start();
    await within(h.firstStarted.promise, 10_000, 'the first run');
    const dialect = t.app.get<Dialect>(DIALECT);
    await expireLease(t.orm, kind, task.id);
    assert.equal(await dialect.reclaimExpired(), 1);
    assert.equal((await t.queue.get(task.id))?.status, TaskStatus.Failed);
    await t.queue.retry(task.id);
    await within(h.secondStarted.promise, 10_000, 'the retried run to start in the same worker');
    // Same worker, same attempt number (1): only this process can tell the runs apart.
    assert.equal((await t.queue.get(task.id))?.attempts, 1);
    h.releaseFirst.resolve();
    const progress = await within(h.firstProgress.promise, 10_000, 'the stale progress call');
    assert.ok(progress instanceof LeaseLostError, `the stale run's progress gave ${String(progress)}`);
    assert.equal((await t.queue.get(task.id))?.progress, null);
    h.releaseSecond.resolve();
    const done = await within(t.queue.waitFor(task.id, { timeoutMs: 10_000 }), 15_000, 'the task to finish');
    assert.equal(done.status, TaskStatus.Succeeded);
    assert.equal(done.result, 'fresh');
    assert.equal(done.progress, null);
  });
});
