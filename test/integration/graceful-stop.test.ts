import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { ShutdownError, TaskHandler, TaskStatus, type Task, type TaskContext } from '../../lib/index.js';
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

  /** Ignores its signal; once released, tries to report progress and records what happened. */
  stubbornStarted = 0;
  readonly stubbornBothStarted = deferred();
  readonly stubbornRelease = deferred();
  readonly stubbornProgress: unknown[] = [];
  readonly stubbornBothReported = deferred();
  @TaskHandler('stubborn', { maxAttempts: 3 })
  async stubborn(_payload: unknown, ctx: TaskContext) {
    if (++this.stubbornStarted === 2) this.stubbornBothStarted.resolve();
    await this.stubbornRelease.promise;
    this.stubbornProgress.push(await ctx.progress('late').then(() => 'written', (error: unknown) => error));
    if (this.stubbornProgress.length === 2) this.stubbornBothReported.resolve();
  }

  /** Notices its signal but goes on regardless, until the test releases it. */
  readonly numbAborted = deferred();
  readonly numbRelease = deferred();
  @TaskHandler('numb')
  async numb(_payload: unknown, ctx: TaskContext) {
    ctx.signal.addEventListener('abort', () => this.numbAborted.resolve());
    await this.numbRelease.promise;
  }

  @TaskHandler('quick')
  quick() {
    return 'ok';
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
    slow.stubbornRelease.resolve();
    slow.numbRelease.resolve();
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

  it('an abandoned handler gives back its slot, keeps no timer, and its later progress writes nothing', async () => {
    const logs = captureLogs();
    const app = (t = await createTestApp({ kind, providers: [Slow], logger: logs, runner: { concurrency: 2, shutdownTimeoutMs: 100 } }));
    slow = t.app.get(Slow);
    await t.runner.start();
    // A per-task timeout far beyond the test: its timer must not outlive the abandonment.
    const stuck = await t.queue.enqueueMany([{ name: 'stubborn', options: { timeoutMs: 600_000 } }, { name: 'stubborn', options: { timeoutMs: 600_000 } }]);
    await within(slow.stubbornBothStarted.promise, 10_000, 'both handlers');
    await within(t.runner.stop(), 10_000, 'stop()');
    assert.equal(logs.find('warn', 'ignored the shutdown abort').length, 1);

    // Both slots were held by the abandoned handlers: a restarted runner must still run tasks.
    await t.runner.start();
    const quick = await t.queue.enqueue('quick');
    const done = await t.queue.waitFor(quick.id, { timeoutMs: 10_000 });
    assert.equal(done.status, TaskStatus.Succeeded);
    assert.equal(done.result, 'ok');
    await within(t.runner.stop(), 10_000, 'second stop()');

    slow.stubbornRelease.resolve();
    await within(slow.stubbornBothReported.promise, 10_000, 'the late progress calls');
    for (const outcome of slow.stubbornProgress) assert.ok(outcome instanceof ShutdownError, `progress after abandonment gave ${String(outcome)}`);
    for (const task of stuck) {
      const row: Task | null = await app.queue.get(task.id);
      assert.equal(row?.status, TaskStatus.Running);
      assert.equal(row?.progress, null);
    }
    await t.close();
    t = undefined;
    // Neither the 600 s timeout timers nor any other timer of the runner survives the app.
    assert.deepEqual(process.getActiveResourcesInfo().filter((r) => r === 'Timeout'), []);
  });

  it('a handler abandoned while the runner waits out its ignored timeout leaves no timer and logs nothing later', async () => {
    const logs = captureLogs();
    t = await createTestApp({ kind, providers: [Slow], logger: logs, runner: { shutdownTimeoutMs: 100 } });
    slow = t.app.get(Slow);
    await t.runner.start();
    // The timeout fires, then the runner waits min(timeoutMs, 5 s) for the handler to react: the
    // stop below (100 ms + the 1 s abort grace) ends inside that wait.
    await t.queue.enqueue('numb', undefined, { timeoutMs: 1500 });
    await within(slow.numbAborted.promise, 10_000, 'the timeout');
    await within(t.runner.stop(), 10_000, 'stop()');
    await t.close();
    t = undefined;
    assert.deepEqual(process.getActiveResourcesInfo().filter((r) => r === 'Timeout'), []);
    assert.equal(logs.find('warn', 'ignored cancellation').length, 0);
  });
});
