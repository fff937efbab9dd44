import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { POLL_INTERVAL_NAME, TaskHandler, type TaskContext } from '../../lib/index.js';
import { probeDialect } from '../helpers/dialect-probe.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

@Injectable()
class Tasks {
  ran = 0;
  failed = deferred();
  @TaskHandler('noop')
  noop() {
    this.ran++;
  }

  @TaskHandler('retry-later', { maxAttempts: 3, backoff: { baseMs: 600_000 } })
  retryLater(_p: unknown, ctx: TaskContext) {
    if (ctx.attempt === 1) this.failed.resolve();
    throw new Error('later');
  }
}

eachDatabase('timers and SchedulerRegistry', (kind) => {
  it('autoStart lists the poll in SchedulerRegistry; app.close() removes it and leaves no timer behind', async () => {
    const before = timeouts();
    const t = await createTestApp({ kind, providers: [Tasks], runner: { autoStart: true } });
    const scheduler = t.app.get(SchedulerRegistry);
    assert.equal(t.runner.status.state, 'running');
    assert.deepEqual(scheduler.getIntervals(), [POLL_INTERVAL_NAME]);
    await t.queue.enqueueMany([{ name: 'noop' }, { name: 'noop' }]);
    await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.equal(t.app.get(Tasks).ran, 2);
    await t.close();
    assert.equal(t.runner.status.state, 'stopped');
    assert.deepEqual(scheduler.getIntervals(), []);
    assert.equal(timeouts(), before, `timers left behind: ${timeouts() - before}`);
  });

  it('start() adds the poll and stop() removes it; a scheduled retry leaves no timer after stop', async () => {
    const before = timeouts();
    const t = await createTestApp({ kind, providers: [Tasks] });
    const scheduler = t.app.get(SchedulerRegistry);
    assert.equal(scheduler.doesExist('interval', POLL_INTERVAL_NAME), false);
    await t.runner.start();
    assert.equal(scheduler.doesExist('interval', POLL_INTERVAL_NAME), true);
    await t.queue.enqueue('retry-later');
    await within(t.app.get(Tasks).failed.promise, 10_000, 'the first attempt');
    await t.runner.stop();
    assert.equal(scheduler.doesExist('interval', POLL_INTERVAL_NAME), false);
    await t.close();
    assert.equal(timeouts(), before, `timers left behind: ${timeouts() - before}`);
  });

  it('a stop that lands while the runner is waiting on its retries leaves no wake-up timer behind', async () => {
    const before = timeouts();
    const t = await createTestApp({ kind, providers: [Tasks] });
    const inCheck = deferred();
    const release = deferred();
    probeDialect(t.app, 'pendingAmong', {
      onCall: async () => {
        inCheck.resolve();
        await release.promise;
      },
    });
    await t.runner.start();
    await t.queue.enqueue('retry-later');
    await within(inCheck.promise, 10_000, 'the idle check of pending retries');
    const stopped = t.runner.stop();
    release.resolve();
    await within(stopped, 10_000, 'stop()');
    await t.close();
    assert.equal(timeouts(), before, `timers left behind: ${timeouts() - before}`);
  });

  it('concurrent start() calls start one runner with one poll, and close leaves no timer', async () => {
    const before = timeouts();
    const t = await createTestApp({ kind, providers: [Tasks] });
    await t.queue.enqueue('noop');
    const [, , counts] = await within(Promise.all([t.runner.start(), t.runner.start(), t.runner.runUntilEmpty()]), 10_000, 'concurrent starts');
    assert.deepEqual(counts, { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(t.runner.status.state, 'running');
    assert.deepEqual(t.app.get(SchedulerRegistry).getIntervals(), [POLL_INTERVAL_NAME]);
    await t.close();
    assert.equal(timeouts(), before, `timers left behind: ${timeouts() - before}`);
  });

  it('a restart while a lease sweep is under way leaves no second sweep timer behind', async () => {
    const before = timeouts();
    const t = await createTestApp({ kind, providers: [Tasks], runner: { sweepIntervalMs: 100 } });
    const entered = deferred();
    const release = deferred();
    const firstDone = deferred();
    let sweeps = 0;
    probeDialect(t.app, 'reclaimExpired', {
      onCall: async () => {
        if (++sweeps > 1) return;
        entered.resolve();
        await release.promise;
      },
      onSettle: () => firstDone.resolve(),
    });
    await t.runner.start();
    await within(entered.promise, 10_000, 'the first sweep');
    await t.runner.stop();
    await t.runner.start();
    release.resolve();
    // Let the held sweep finish (and its callback go on) while the restarted runner runs.
    await within(firstDone.promise, 10_000, 'the held sweep');
    await new Promise((r) => setImmediate(r));
    await t.runner.stop();
    await t.close();
    assert.equal(timeouts(), before, `timers left behind: ${timeouts() - before}`);
  });

  it('ticks never overlap: at most one claim is in progress at any moment', async () => {
    const t = await createTestApp({ kind, providers: [Tasks], runner: { pollIntervalMs: 10, concurrency: 2 } });
    let active = 0;
    let maxActive = 0;
    let claims = 0;
    probeDialect(t.app, 'claim', {
      onCall: () => {
        active++;
        claims++;
        maxActive = Math.max(maxActive, active);
      },
      onSettle: () => void active--,
    });
    await t.runner.start();
    // Many wake-ups at once: every enqueue wakes the runner, the poll fires every 10 ms, and
    // every finished handler wakes it again.
    await Promise.all(Array.from({ length: 40 }, () => t.queue.enqueue('noop')));
    await within(t.runner.runUntilEmpty(), 15_000, 'runUntilEmpty');
    await t.close();
    assert.equal(t.app.get(Tasks).ran, 40);
    assert.ok(claims >= 20, `only ${claims} claims`);
    assert.equal(maxActive, 1);
  });
});
