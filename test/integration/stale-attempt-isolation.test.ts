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

/** Run 1 ignores its abort and waits for the test, then reports progress; run 2 waits for the test too. */
@Injectable()
class Stubborn {
  runs = 0;
  readonly firstStarted = deferred();
  readonly releaseFirst = deferred();
  readonly firstSettled = deferred<unknown>();
  readonly secondStarted = deferred();
  readonly releaseSecond = deferred();
  @TaskHandler('stubborn', { maxAttempts: 3 })
  async run(_p: unknown, ctx: TaskContext) {
    if (++this.runs === 1) {
      this.firstStarted.resolve();
      await this.releaseFirst.promise;
      this.firstSettled.resolve(await ctx.progress('stale').then(() => 'written', (e: unknown) => e));
      return 'stale';
    }
    this.secondStarted.resolve();
    await this.releaseSecond.promise;
    return 'fresh';
  }
}

/** Attempt 1 fails when the test says; attempt 2 returns when the test says and records its signal. */
@Injectable()
class FailsOnce {
  readonly failFirst = deferred();
  readonly firstFailed = deferred();
  readonly secondStarted = deferred();
  readonly releaseSecond = deferred();
  secondAbortReason: unknown;
  @TaskHandler('fails-once', { maxAttempts: 2, backoff: { baseMs: 50, jitter: 0 } })
  async run(_p: unknown, ctx: TaskContext) {
    if (ctx.attempt === 1) {
      await this.failFirst.promise;
      setImmediate(() => this.firstFailed.resolve());
      throw new Error('transient');
    }
    this.secondStarted.resolve();
    await this.releaseSecond.promise;
    this.secondAbortReason = ctx.signal.reason;
    return 'ok';
  }
}

eachDatabase('a stale run of a retried task', (kind) => {
  let t: TestApp;
  afterEach(async () => {
    t.app.get(Stubborn).releaseFirst.resolve();
    t.app.get(Stubborn).releaseSecond.resolve();
    t.app.get(FailsOnce).failFirst.resolve();
    t.app.get(FailsOnce).releaseSecond.resolve();
    await t.close();
  });

  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Stubborn, FailsOnce], runner: { concurrency: 4, leaseMs: 600_000, leaseRenewIntervalMs: 300_000, sweepIntervalMs: 300_000, pollIntervalMs: 50 } });
  });

  it('a run already aborted by cancel, then re-claimed here after retry(), writes neither its outcome nor its progress', async () => {
    const h = t.app.get(Stubborn);
    const task = await t.queue.enqueue('stubborn');
    await t.runner.start();
    await within(h.firstStarted.promise, 10_000, 'run 1');
    await t.queue.cancel(task.id); // aborts run 1 in-process; it ignores the abort
    // A stall lets the lease run out; the sweep ends the task cancelled; an operator retries it.
    await expireLease(t.orm, kind, task.id);
    assert.equal(await t.app.get<Dialect>(DIALECT).reclaimExpired(), 1);
    await t.queue.retry(task.id);
    await within(h.secondStarted.promise, 10_000, 'run 2 (after retry)');
    // Same worker, same attempt number: only this process can tell the runs apart.
    assert.equal((await t.queue.get(task.id))?.attempts, 1);
    h.releaseFirst.resolve();
    const progress = await within(h.firstSettled.promise, 10_000, 'run 1 to settle');
    assert.ok(progress instanceof LeaseLostError, `run 1's progress gave ${String(progress)}`);
    // Run 1's outcome, if it were written, would go out before run 2's.
    h.releaseSecond.resolve();
    const done = await t.queue.waitFor(task.id, { timeoutMs: 10_000 });
    assert.equal(done.status, TaskStatus.Succeeded);
    assert.equal(done.result, 'fresh');
    assert.equal(done.progress, null);
  });
});

eachDatabase('a late lease-renewal answer', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Stubborn, FailsOnce], runner: { leaseMs: 60_000, leaseRenewIntervalMs: 100, sweepIntervalMs: 300_000, pollIntervalMs: 50 } });
  });
  afterEach(async () => {
    t.app.get(FailsOnce).failFirst.resolve();
    t.app.get(FailsOnce).releaseSecond.resolve();
    await t.close();
  });

  it('about an earlier attempt leaves the task’s next attempt alone', async () => {
    const h = t.app.get(FailsOnce);
    const dialect = t.app.get<Dialect>(DIALECT);
    const task = await t.queue.enqueue('fails-once');
    const renew = dialect.renew.bind(dialect);
    const answered = deferred();
    let armed = true;
    // One slow round trip: its UPDATE runs after attempt 1's retry was written (so the task is
    // not held), and its answer arrives after attempt 2 started.
    dialect.renew = async (workerId, ids, leaseMs) => {
      if (!armed || !ids.includes(task.id)) return renew(workerId, ids, leaseMs);
      armed = false;
      h.failFirst.resolve();
      await h.firstFailed.promise;
      await eventually(async () => ((await dialect.getRow(task.id))?.status === 'pending' ? true : undefined), 10_000, 'the retry to be written');
      const answer = await renew(workerId, ids, leaseMs);
      await within(h.secondStarted.promise, 10_000, 'attempt 2');
      // The renewer acts on the answer in the continuation of this return, before this fires.
      setImmediate(() => answered.resolve());
      return answer;
    };
    await t.runner.start();
    await within(answered.promise, 15_000, 'the late answer');
    h.releaseSecond.resolve();
    const done = await t.queue.waitFor(task.id, { timeoutMs: 10_000 });
    assert.equal(h.secondAbortReason, undefined);
    assert.equal(done.status, TaskStatus.Succeeded);
    assert.equal(done.attempts, 2);
  });
});
