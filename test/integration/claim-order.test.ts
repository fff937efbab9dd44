import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

@Injectable()
class OrderLog {
  order: string[] = [];
  @TaskHandler('mark')
  mark(payload: { label: string }) {
    this.order.push(payload.label);
  }
}

eachDatabase('claim order', (kind) => {
  let t: TestApp;
  let log: OrderLog;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [OrderLog], runner: { concurrency: 1 } });
    log = t.app.get(OrderLog);
  });
  afterEach(() => t.close());

  it('runs higher priority first, then earlier runAt, then lower id', async () => {
    const items: [string, number, number][] = [
      // label, priority, ms ago
      ['p0-1s', 0, 1000],
      ['p5-1s', 5, 1000],
      ['p0-3s-first', 0, 3000],
      ['p5-2s', 5, 2000],
      ['p-1-5s', -1, 5000],
      ['p0-3s-second', 0, 3000],
      ['p1000000-now', 1_000_000, 0],
    ];
    const runAtBase = Date.now();
    for (const [label, priority, msAgo] of items) {
      await t.queue.enqueue('mark', { label }, { priority, runAt: new Date(runAtBase - msAgo) });
    }
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty'), { succeeded: 7, failed: 0, retried: 0, cancelled: 0 });
    assert.deepEqual(log.order, ['p1000000-now', 'p5-2s', 'p5-1s', 'p0-3s-first', 'p0-3s-second', 'p0-1s', 'p-1-5s']);
  });

  it('runs equal tasks in enqueue (id) order', async () => {
    const labels = Array.from({ length: 20 }, (_, i) => `t${i}`);
    await t.queue.enqueueMany(labels.map((label) => ({ name: 'mark', payload: { label } })));
    await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.deepEqual(log.order, labels);
  });

  it('does not run a task before its runAt or delayMs', async () => {
    const viaDelay = await t.queue.enqueue('mark', { label: 'delayed' }, { delayMs: 600_000 });
    const viaRunAt = await t.queue.enqueue('mark', { label: 'at' }, { runAt: new Date(Date.now() + 600_000) });
    await t.queue.enqueue('mark', { label: 'due' }, { priority: -5 });
    assert.ok(viaDelay.runAt.getTime() >= viaDelay.createdAt.getTime() + 600_000, 'delayMs sets runAt');
    await t.runner.start();
    await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    await t.runner.stop();
    assert.deepEqual(log.order, ['due']);
    for (const id of [viaDelay.id, viaRunAt.id]) {
      const row = await t.queue.get(id);
      assert.equal(row?.status, TaskStatus.Pending);
      assert.equal(row?.attempts, 0);
    }
  });
});
