import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskCancelledError, TaskEvents, TaskHandler, TaskNotFoundError, TaskStateError, TaskStatus, type TaskContext, type TaskEvent } from '../../lib/index.js';
import { startChild } from '../helpers/child-worker.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

@Injectable()
class Cancellable {
  started = deferred<number>();
  calls = 0;
  reasons: unknown[] = [];
  /** Resolved by the test to let an ignoring handler finish. */
  release = deferred();

  @TaskHandler('waits-for-abort', { maxAttempts: 3 })
  async waits(_p: unknown, ctx: TaskContext) {
    this.calls++;
    this.started.resolve(ctx.taskId);
    await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
  }

  @TaskHandler('ignores-abort', { maxAttempts: 3 })
  async ignores(_p: unknown, ctx: TaskContext) {
    this.calls++;
    ctx.signal.addEventListener('abort', () => this.reasons.push(ctx.signal.reason), { once: true });
    this.started.resolve(ctx.taskId);
    await this.release.promise;
    return 'finished anyway';
  }

  @TaskHandler('flaky', { maxAttempts: 1 })
  flaky(payload: { fail: boolean }) {
    this.calls++;
    if (payload.fail) throw new Error('boom');
    return 'ok';
  }
}

eachDatabase('cancel and retry', (kind) => {
  let t: TestApp;
  let h: Cancellable;
  const events: TaskEvent[] = [];
  before(async () => {
    t = await createTestApp({ kind, providers: [Cancellable], runner: { leaseMs: 1000, leaseRenewIntervalMs: 100 } });
    h = t.app.get(Cancellable);
    t.app.get(TaskEvents).subscribe((e) => void events.push(e));
  });
  after(() => t.close());

  const reset = () => {
    h.started = deferred<number>();
    h.release = deferred();
    h.calls = 0;
    h.reasons = [];
    events.length = 0;
  };

  it('cancels a pending task at once, and it never runs', async () => {
    reset();
    const task = await t.queue.enqueue('flaky', { fail: false }, { uniqueKey: 'pending-cancel' });
    const cancelled = await t.queue.cancel(task.id);
    assert.equal(cancelled.status, TaskStatus.Cancelled);
    assert.equal(cancelled.lastError, 'Task was cancelled.');
    assert.equal(cancelled.uniqueKey, null);
    assert.deepEqual(events.map((e) => [e.type, e.task.id, e.task.attempt]), [['cancelled', task.id, 0]]);
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 0, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(h.calls, 0);
    // Cancelling again is a no-op; the freed unique key takes a new task.
    assert.equal((await t.queue.cancel(task.id)).status, TaskStatus.Cancelled);
    const again = await t.queue.enqueue('flaky', { fail: false }, { uniqueKey: 'pending-cancel' });
    assert.notEqual(again.id, task.id);
    await t.queue.cancel(again.id);
  });

  it('aborts a running handler in this process; the task ends cancelled, not retried', async () => {
    reset();
    await t.runner.start();
    const task = await t.queue.enqueue('waits-for-abort');
    assert.equal(await within(h.started.promise, 10_000, 'handler start'), task.id);
    const asked = await t.queue.cancel(task.id);
    assert.equal(asked.status, TaskStatus.Running);
    assert.equal(asked.cancelRequested, true);
    const done = await t.queue.waitFor(task.id, { timeoutMs: 10_000 });
    await t.runner.stop();
    assert.equal(done.status, TaskStatus.Cancelled);
    assert.equal(done.attempts, 1);
    assert.equal(done.lastError, 'Task was cancelled.');
    assert.equal(h.calls, 1);
    assert.deepEqual(events.map((e) => e.type), ['started', 'cancelled']);
  });

  it('ends cancelled even when the handler ignores its signal and then returns', async () => {
    reset();
    await t.runner.start();
    const task = await t.queue.enqueue('ignores-abort');
    await within(h.started.promise, 10_000, 'handler start');
    await t.queue.cancel(task.id);
    h.release.resolve();
    const done = await t.queue.waitFor(task.id, { timeoutMs: 10_000 });
    await t.runner.stop();
    assert.equal(done.status, TaskStatus.Cancelled);
    assert.equal(done.result, null);
    assert.equal(h.calls, 1);
    assert.equal(h.reasons.length, 1);
    assert.ok(h.reasons[0] instanceof TaskCancelledError);
  });

  it('retry() puts failed and cancelled tasks back to pending with fresh attempts', async () => {
    reset();
    const failing = await t.queue.enqueue('flaky', { fail: true });
    await t.runner.runUntilEmpty();
    const failed = await t.queue.get(failing.id);
    assert.equal(failed?.status, TaskStatus.Failed);
    assert.equal(failed?.attempts, 1);
    const retried = await t.queue.retry(failing.id);
    assert.equal(retried.status, TaskStatus.Pending);
    assert.equal(retried.attempts, 0);
    assert.match(retried.lastError ?? '', /Error: boom/);
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 0, failed: 1, retried: 0, cancelled: 0 });
    assert.equal(h.calls, 2);

    const cancelled = await t.queue.enqueue('flaky', { fail: false });
    await t.queue.cancel(cancelled.id);
    assert.equal((await t.queue.retry(cancelled.id)).status, TaskStatus.Pending);
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    const ok = await t.queue.get(cancelled.id);
    assert.equal(ok?.status, TaskStatus.Succeeded);
    assert.equal(ok?.result, 'ok');
    assert.equal(ok?.attempts, 1);
  });

  it('refuses cancel/retry in the wrong state or for unknown ids, writing nothing', async () => {
    reset();
    const task = await t.queue.enqueue('flaky', { fail: false });
    await assert.rejects(t.queue.retry(task.id), (e: unknown) => {
      assert.ok(e instanceof TaskStateError);
      assert.equal(e.message, `Cannot retry task ${task.id}: it is pending. Only failed or cancelled tasks can be retried.`);
      return true;
    });
    await t.runner.runUntilEmpty();
    await assert.rejects(t.queue.cancel(task.id), (e: unknown) => {
      assert.ok(e instanceof TaskStateError);
      assert.equal(e.message, `Cannot cancel task ${task.id}: it is succeeded. Only pending or running tasks can be cancelled.`);
      return true;
    });
    assert.equal((await t.queue.get(task.id))?.status, TaskStatus.Succeeded);
    await assert.rejects(t.queue.cancel(999_999), TaskNotFoundError);
    await assert.rejects(t.queue.retry(999_999), TaskNotFoundError);
    await assert.rejects(t.queue.cancel(-1 as number), /Invalid option "id"/);
  });

  it('cancels a task running in another process through its lease renewal', async () => {
    const producer = await createTestApp({ db: t.db, createSchema: false, runner: { allowUnknownTasks: true } });
    const child = await startChild(t.db, 'runner');
    try {
      const task = await producer.queue.enqueue('child-cancellable');
      const started = await child.next('started');
      assert.equal(started.id, task.id);
      const asked = await producer.queue.cancel(task.id);
      assert.equal(asked.status, TaskStatus.Running);
      assert.equal(asked.lockedBy, `child-${child.pid}`);
      const done = await producer.queue.waitFor(task.id, { timeoutMs: 15_000 });
      assert.equal(done.status, TaskStatus.Cancelled);
      assert.equal(done.attempts, 1);
      assert.equal(done.lastError, 'Task was cancelled.');
      assert.equal(done.lockedBy, null);
    } finally {
      await child.stop();
      await producer.close();
    }
  });

  it('a task whose worker died after its cancel was requested ends cancelled when its lease is taken back', async () => {
    const sweeper = await createTestApp({ db: t.db, createSchema: false, runner: { allowUnknownTasks: true, sweepIntervalMs: 100, leaseMs: 1000, leaseRenewIntervalMs: 100 } });
    const child = await startChild(t.db, 'runner');
    try {
      const task = await sweeper.queue.enqueue('child-cancellable');
      assert.equal((await child.next('started')).id, task.id);
      await child.kill();
      assert.equal((await sweeper.queue.cancel(task.id)).status, TaskStatus.Running);
      await sweeper.runner.start(); // it has no handler of that name: it only sweeps expired leases
      const done = await sweeper.queue.waitFor(task.id, { timeoutMs: 15_000 });
      assert.equal(done.status, TaskStatus.Cancelled);
      assert.equal(done.attempts, 1);
      assert.match(done.lastError ?? '', new RegExp(`^Lease lost: worker child-${child.pid} stopped renewing its lease`));
    } finally {
      await child.stop();
      await sweeper.close();
    }
  });

  it('a handler in another process that fails after its cancel was requested ends cancelled, not retried', async () => {
    const producer = await createTestApp({ db: t.db, createSchema: false, runner: { allowUnknownTasks: true } });
    // Renewal far beyond the test: the failure is written before that runner could see the request.
    const child = await startChild(t.db, 'runner', { WORKER_LEASE_MS: '600000', WORKER_RENEW_MS: '300000' });
    try {
      const task = await producer.queue.enqueue('child-fails-when-told');
      assert.equal((await child.next('started')).id, task.id);
      assert.equal((await producer.queue.cancel(task.id)).cancelRequested, true);
      child.send({ type: 'fail', id: task.id });
      const done = await producer.queue.waitFor(task.id, { timeoutMs: 15_000 });
      assert.equal(done.status, TaskStatus.Cancelled);
      assert.equal(done.attempts, 1);
      assert.match(done.lastError ?? '', /^Error: failed on request/);
    } finally {
      await child.stop();
      await producer.close();
    }
  });
});
