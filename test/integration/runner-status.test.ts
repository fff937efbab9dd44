import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { POLL_INTERVAL_NAME, TaskHandler } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, eventually, within } from '../helpers/wait.js';

@Injectable()
class Held {
  started = 0;
  allStarted = deferred();
  expected = 2;
  release = deferred();
  @TaskHandler('held')
  async held() {
    if (++this.started === this.expected) this.allStarted.resolve();
    await this.release.promise;
  }

  @TaskHandler('bad', { maxAttempts: 1 })
  bad() {
    throw new Error('bad');
  }
}

eachDatabase('runner status', (kind) => {
  let t: TestApp;
  let held: Held;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Held], runner: { concurrency: 4, queues: ['default', 'other'], workerId: 'status-test-worker' } });
    held = t.app.get(Held);
  });
  afterEach(async () => {
    held.release.resolve();
    await t.close();
  });

  it('reports stopped, running, stopping and stopped again with the tasks in flight', async () => {
    assert.deepEqual(t.runner.status, {
      state: 'stopped',
      workerId: 'status-test-worker',
      queues: ['default', 'other'],
      inFlight: 0,
      prefetched: 0,
      counts: { succeeded: 0, failed: 0, retried: 0, cancelled: 0 },
    });
    await t.runner.start();
    assert.equal(t.runner.status.state, 'running');
    assert.equal(t.runner.status.inFlight, 0);

    await t.queue.enqueue('held');
    await t.queue.enqueue('held');
    await within(held.allStarted.promise, 10_000, 'both handlers');
    assert.equal(t.runner.status.inFlight, 2);

    const stopped = t.runner.stop();
    assert.equal(t.runner.status.state, 'stopping');
    assert.equal(t.runner.status.inFlight, 2);
    held.release.resolve();
    await within(stopped, 10_000, 'stop()');
    assert.equal(t.runner.status.state, 'stopped');
    assert.equal(t.runner.status.inFlight, 0);
    assert.deepEqual(t.runner.status.counts, { succeeded: 2, failed: 0, retried: 0, cancelled: 0 });
  });

  it('counts failures, and start() and stop() are idempotent', async () => {
    await t.runner.start();
    await t.runner.start();
    await t.queue.enqueue('bad');
    await eventually(async () => t.runner.status.counts.failed === 1, 10_000, 'the failure to be counted');
    assert.deepEqual(t.runner.status.counts, { succeeded: 0, failed: 1, retried: 0, cancelled: 0 });
    await t.runner.stop();
    await t.runner.stop();
    assert.equal(t.runner.status.state, 'stopped');
  });

  it('the status is a snapshot that callers cannot change', async () => {
    const status = t.runner.status;
    (status.counts as { succeeded: number }).succeeded = 99;
    assert.equal(t.runner.status.counts.succeeded, 0);
  });

  it('start() called while a stop is under way waits for it, then runs again', async () => {
    await t.runner.start();
    held.expected = 1;
    await t.queue.enqueue('held');
    await within(held.allStarted.promise, 10_000, 'the handler');
    const stopped = t.runner.stop();
    assert.equal(t.runner.status.state, 'stopping');
    const restarted = t.runner.start();
    held.release.resolve();
    await within(Promise.all([stopped, restarted]), 10_000, 'stop() then start()');
    assert.equal(t.runner.status.state, 'running');
    await t.queue.enqueue('held');
    await eventually(async () => t.runner.status.counts.succeeded === 2, 10_000, 'a task after the restart');
  });

  it('stop() called while start() is under way leaves the runner stopped with no poll', async () => {
    const started = t.runner.start();
    const stopped = t.runner.stop();
    await within(Promise.all([started, stopped]), 10_000, 'start() and stop()');
    assert.equal(t.runner.status.state, 'stopped');
    assert.equal(t.app.get(SchedulerRegistry).doesExist('interval', POLL_INTERVAL_NAME), false);
  });
});
