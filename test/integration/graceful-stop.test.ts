import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { ShutdownError, TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';
import { captureLogs } from '../helpers/log-capture.js';

@Injectable()
class Slow {
  started = deferred();
  release = deferred();
  abortReason: unknown;

  @TaskHandler('cooperative', { maxAttempts: 3 })
  async cooperative(_payload: unknown, ctx: TaskContext) {
    this.started.resolve();
    await new Promise<void>((resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        this.abortReason = ctx.signal.reason;
        reject(ctx.signal.reason);
      });
      void this.release.promise.then(resolve);
    });
    return 'done';
  }

  /** Ignores its signal and returns only when the test releases it. */
  readonly deafStarted = deferred();
  readonly deafRelease = deferred();
  deafReturned = deferred();
  @TaskHandler('deaf', { maxAttempts: 3 })
  async deaf() {
    this.deafStarted.resolve();
    await this.deafRelease.promise;
    this.deafReturned.resolve();
    return 'late';
  }
}

eachDatabase('graceful stop', (kind) => {
  let t: TestApp | undefined;
  let slow: Slow;
  async function boot(shutdownTimeoutMs: number): Promise<TestApp> {
    t = await createTestApp({ kind, providers: [Slow], runner: { shutdownTimeoutMs, backoff: { baseMs: 60_000 } } });
    slow = t.app.get(Slow);
    return t;
  }
  afterEach(async () => {
    slow.release.resolve();
    slow.deafRelease.resolve();
    await t?.close();
    t = undefined;
  });

  it('waits for a handler that finishes within shutdownTimeoutMs and stores its result', async () => {
    // Generous timeout: the handler is released by the test, however slow the machine.
    const t = await boot(30_000);
    await t.runner.start();
    const task = await t.queue.enqueue('cooperative');
    await within(slow.started.promise, 10_000, 'the handler');
    const stopped = t.runner.stop();
    assert.equal(t.runner.status.state, 'stopping');
    slow.release.resolve();
    await within(stopped, 10_000, 'stop()');
    assert.equal(slow.abortReason, undefined);
    const row = await t.queue.get(task.id);
    assert.equal(row?.status, TaskStatus.Succeeded);
    assert.equal(row?.result, 'done');
  });

  it('after shutdownTimeoutMs aborts the handler with ShutdownError and leaves the task to be retried', async () => {
    const t = await boot(100);
    await t.runner.start();
    const task = await t.queue.enqueue('cooperative');
    await within(slow.started.promise, 10_000, 'the handler');
    await within(t.runner.stop(), 10_000, 'stop()');
    assert.equal(t.runner.status.state, 'stopped');
    assert.ok(slow.abortReason instanceof ShutdownError, `aborted with ${String(slow.abortReason)}`);
    assert.match((slow.abortReason as Error).message, /shutdownTimeoutMs \(100 ms\)/);
    const row = await t.queue.get(task.id);
    assert.equal(row?.status, TaskStatus.Pending);
    assert.equal(row?.attempts, 1);
    assert.equal(row?.lockedBy, null);
    assert.match(row?.lastError ?? '', /^ShutdownError: Runner stopped; the handler did not finish within shutdownTimeoutMs \(100 ms\)/);
  });

  it('abandons a handler that ignores the abort: stop() returns after the grace second, leaves no timer, and nothing is written later', async () => {
    const logs = captureLogs();
    t = await createTestApp({ kind, providers: [Slow], logger: logs, runner: { shutdownTimeoutMs: 100 } });
    slow = t.app.get(Slow);
    await t.runner.start();
    const task = await t.queue.enqueue('deaf');
    await within(slow.deafStarted.promise, 10_000, 'the handler');
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const began = performance.now();
    await within(t.runner.stop(), 10_000, 'stop()');
    // shutdownTimeoutMs, then one second for handlers to react to the abort.
    assert.ok(performance.now() - began < 100 + 1000 + 2000, `stop() took ${Math.round(performance.now() - began)} ms`);
    assert.equal(t.runner.status.state, 'stopped');
    assert.equal(t.runner.status.inFlight, 0);
    assert.equal(logs.find('warn', `ignored the shutdown abort (task(s) ${task.id})`).length, 1);
    // The runner leaves no timer of its own behind (it used to keep a 5 s one for the handler).
    assert.ok(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length <= timersBefore, String(process.getActiveResourcesInfo()));
    slow.deafRelease.resolve();
    await slow.deafReturned.promise;
    // A write would go out within a turn and a round trip of the handler returning; give it ample time, bounded.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const row = await t.queue.get(task.id);
    assert.equal(row?.status, TaskStatus.Running);
    assert.equal(row?.result, null);
    assert.equal(logs.find('warn', 'ignored cancellation').length, 0);
  });
});
