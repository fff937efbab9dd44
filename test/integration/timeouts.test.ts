import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskEvents, TaskHandler, TaskStatus, TaskTimeoutError, type TaskContext, type TaskEvent } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, eventually, within } from '../helpers/wait.js';

@Injectable()
class SlowHandlers {
  reasons: unknown[] = [];
  stubbornCalls: { attempt: number; release: ReturnType<typeof deferred<void>> }[] = [];
  stubbornStarted: ReturnType<typeof deferred<number>>[] = [deferred<number>(), deferred<number>(), deferred<number>()];
  quickRan = deferred<number>();

  /** Honours its signal: rejects with the abort reason. Succeeds from the second attempt. */
  @TaskHandler('cooperative', { timeoutMs: 100, maxAttempts: 3, backoff: { baseMs: 10, jitter: 0 } })
  async cooperative(_p: unknown, ctx: TaskContext) {
    if (ctx.attempt > 1) return { attempt: ctx.attempt };
    await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
  }

  /** No handler timeout; the per-task `timeoutMs` is the only limit. */
  @TaskHandler('untimed', { maxAttempts: 1 })
  async untimed(_p: unknown, ctx: TaskContext) {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(this.reasons.push(ctx.signal.reason)), { once: true }));
    return 'returned after the abort';
  }

  /** Ignores its signal and settles only when the test releases that attempt. */
  @TaskHandler('stubborn', { timeoutMs: 100, maxAttempts: 2, backoff: { baseMs: 10, jitter: 0 } })
  async stubborn(_p: unknown, ctx: TaskContext) {
    const release = deferred<void>();
    this.stubbornCalls.push({ attempt: ctx.attempt, release });
    this.stubbornStarted[ctx.attempt - 1]!.resolve(ctx.taskId);
    await release.promise;
  }

  @TaskHandler('quick')
  quick(_p: unknown, ctx: TaskContext) {
    this.quickRan.resolve(ctx.taskId);
  }
}

eachDatabase('timeouts', (kind) => {
  let t: TestApp;
  let h: SlowHandlers;
  const logs = captureLogs();
  const events: TaskEvent[] = [];
  before(async () => {
    t = await createTestApp({ kind, providers: [SlowHandlers], logger: logs, runner: { concurrency: 1, leaseMs: 1000, leaseRenewIntervalMs: 100 } });
    h = t.app.get(SlowHandlers);
    t.app.get(TaskEvents).subscribe((e) => void events.push(e));
  });
  after(() => t.close());

  it('fires ctx.signal at the handler timeout, fails the attempt with TaskTimeoutError and retries per backoff', async () => {
    events.length = 0;
    const task = await t.queue.enqueue('cooperative');
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 1, failed: 0, retried: 1, cancelled: 0 });
    const done = await t.queue.get(task.id);
    assert.equal(done?.status, TaskStatus.Succeeded);
    assert.equal(done?.attempts, 2);
    assert.deepEqual(done?.result, { attempt: 2 });
    assert.match(done?.lastError ?? '', /^TaskTimeoutError: Task attempt timed out after 100 ms\./);
    const retrying = events.find((e) => e.type === 'retrying');
    assert.equal(retrying?.type === 'retrying' && retrying.error, 'TaskTimeoutError: Task attempt timed out after 100 ms.');
    assert.equal(retrying?.type === 'retrying' && retrying.delayMs, 10);
  });

  it('applies a per-task timeoutMs; a handler that returns after its timeout still fails', async () => {
    h.reasons = [];
    const task = await t.queue.enqueue('untimed', null, { timeoutMs: 50 });
    assert.equal(task.timeoutMs, 50);
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 0, failed: 1, retried: 0, cancelled: 0 });
    const done = await t.queue.get(task.id);
    assert.equal(done?.status, TaskStatus.Failed);
    assert.equal(done?.result, null);
    assert.match(done?.lastError ?? '', /^TaskTimeoutError: Task attempt timed out after 50 ms\./);
    assert.equal(h.reasons.length, 1);
    assert.ok(h.reasons[0] instanceof TaskTimeoutError);
  });

  it('a handler ignoring its signal frees its slot, is logged, never overlaps its next attempt and runs at most maxAttempts times', async () => {
    events.length = 0;
    await t.runner.start();
    const stubborn = await t.queue.enqueue('stubborn');
    await within(h.stubbornStarted[0]!.promise, 10_000, 'first stubborn attempt');
    // The only slot is taken by the stubborn attempt; once it is freed the quick task runs.
    // Its run_at is later than the stubborn retry would be, so had the stubborn task gone back
    // to pending while still running, that retry would have been claimed first.
    const quick = await t.queue.enqueue('quick', null, { delayMs: 300 });
    assert.equal(await within(h.quickRan.promise, 10_000, 'quick task while stubborn still runs'), quick.id);
    assert.equal(h.stubbornCalls.length, 1);
    const during = await t.queue.get(stubborn.id);
    assert.equal(during?.status, TaskStatus.Running);
    assert.equal(during?.attempts, 1);
    const warned = logs.find('warn', `Task ${stubborn.id} (stubborn) ignored cancellation`);
    assert.equal(warned.length, 1);
    assert.match(warned[0]!.message, /ignored cancellation \(Task attempt timed out after 100 ms\.\) for 100 ms/);

    h.stubbornCalls[0]!.release.resolve();
    await within(h.stubbornStarted[1]!.promise, 10_000, 'second stubborn attempt');
    await eventually(async () => logs.find('warn', `Task ${stubborn.id} (stubborn) ignored cancellation`).length === 2, 10_000, 'second ignored-cancellation log');
    h.stubbornCalls[1]!.release.resolve();
    const done = await t.queue.waitFor(stubborn.id, { timeoutMs: 10_000 });
    await t.runner.stop();
    assert.equal(done.status, TaskStatus.Failed);
    assert.equal(done.attempts, 2);
    assert.match(done.lastError ?? '', /^TaskTimeoutError: Task attempt timed out after 100 ms\./);
    assert.deepEqual(h.stubbornCalls.map((c) => c.attempt), [1, 2]);
    assert.deepEqual(
      events.filter((e) => e.task.id === stubborn.id).map((e) => e.type),
      ['started', 'retrying', 'started', 'failed'],
    );
  });
});
