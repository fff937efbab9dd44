import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { POLL_INTERVAL_NAME, TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { countByStatus } from '../helpers/rows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { eventually, within } from '../helpers/wait.js';

@Injectable()
class Count {
  calls = 0;
  @TaskHandler('fails-once', { backoff: { baseMs: 100, jitter: 0 } })
  failsOnce(_p: unknown, ctx: TaskContext) {
    this.calls++;
    if (ctx.attempt === 1) throw new Error('once');
  }

  @TaskHandler('count')
  count() {
    this.calls++;
  }
}

eachDatabase('stopWhenEmpty', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Count], runner: { stopWhenEmpty: true, concurrency: 3 } });
  });
  afterEach(() => t.close());

  it('a started runner stops itself once nothing is due or running', async () => {
    await t.queue.enqueueMany(Array.from({ length: 12 }, () => ({ name: 'count' })));
    await t.runner.start();
    await eventually(async () => t.runner.status.state === 'stopped', 10_000, 'the runner to stop itself');
    assert.equal(t.app.get(Count).calls, 12);
    const byStatus = await countByStatus(t.orm);
    assert.equal(byStatus[TaskStatus.Succeeded], 12);
    assert.equal(byStatus[TaskStatus.Pending], 0);
    assert.equal(t.runner.status.counts.succeeded, 12);
    // Its poll is removed too (at the latest on the next poll tick).
    const scheduler = t.app.get(SchedulerRegistry);
    await eventually(async () => !scheduler.doesExist('interval', POLL_INTERVAL_NAME), 10_000, 'the poll to be removed');
  });

  it('can be started again right after stopping itself, and then stops itself again', async () => {
    await t.runner.start();
    await eventually(async () => t.runner.status.state === 'stopped', 10_000, 'the first self-stop');
    await t.queue.enqueue('count');
    await within(t.runner.start(), 5_000, 'the second start');
    await eventually(async () => t.runner.status.state === 'stopped', 10_000, 'the second self-stop');
    assert.equal(t.app.get(Count).calls, 1);
  });

  it('waits for a retry it scheduled before stopping itself', async () => {
    const task = await t.queue.enqueue('fails-once');
    await t.runner.start();
    await eventually(async () => t.runner.status.state === 'stopped', 10_000, 'the runner to stop itself');
    assert.equal(t.app.get(Count).calls, 2);
    assert.deepEqual(t.runner.status.counts, { succeeded: 1, failed: 0, retried: 1, cancelled: 0 });
    const row = await t.queue.get(task.id);
    assert.equal(row?.status, TaskStatus.Succeeded);
    assert.equal(row?.attempts, 2);
  });
});
