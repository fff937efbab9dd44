import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { countByStatus } from '../helpers/rows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

const SLOTS = { mail: 1, reports: 2 } as const;
type Queue = keyof typeof SLOTS;

/** Counts overlapping handlers per queue; the first wave holds until every slot of both queues is taken. */
@Injectable()
class PerQueue {
  active: Record<Queue, number> = { mail: 0, reports: 0 };
  max: Record<Queue, number> = { mail: 0, reports: 0 };
  runs: number[] = [];
  allFull = deferred();

  private async run(queue: Queue, ctx: TaskContext) {
    assert.equal(ctx.queue, queue);
    this.active[queue]++;
    this.max[queue] = Math.max(this.max[queue], this.active[queue]);
    this.runs.push(ctx.taskId);
    try {
      if (this.active.mail === SLOTS.mail && this.active.reports === SLOTS.reports) this.allFull.resolve();
      await within(this.allFull.promise, 10_000, 'both queues to fill');
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    } finally {
      this.active[queue]--;
    }
  }

  @TaskHandler('mail', { queue: 'mail' })
  mail(_p: unknown, ctx: TaskContext) {
    return this.run('mail', ctx);
  }

  @TaskHandler('report', { queue: 'reports' })
  report(_p: unknown, ctx: TaskContext) {
    return this.run('reports', ctx);
  }
}

eachDatabase('per-queue slots', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [PerQueue], runner: { queues: { ...SLOTS }, pollIntervalMs: 10 } });
  });
  afterEach(() => t.close());

  it('each queue stays within its own slots, and every task runs once', async () => {
    const tasks = await t.queue.enqueueMany([
      ...Array.from({ length: 8 }, () => ({ name: 'mail' })),
      ...Array.from({ length: 8 }, () => ({ name: 'report' })),
    ]);
    assert.deepEqual(tasks.map((x) => x.queue), [...Array(8).fill('mail'), ...Array(8).fill('reports')]);
    const counts = await within(t.runner.runUntilEmpty(), 20_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 16, failed: 0, retried: 0, cancelled: 0 });
    const perQueue = t.app.get(PerQueue);
    assert.deepEqual(perQueue.max, { mail: 1, reports: 2 });
    assert.deepEqual([...perQueue.runs].sort((a, b) => a - b), tasks.map((x) => x.id));
    assert.equal((await countByStatus(t.orm))[TaskStatus.Succeeded], 16);
  });

  it('a task enqueued on a queue this runner does not serve stays pending', async () => {
    const elsewhere = await t.queue.enqueue('mail', {}, { queue: 'other' });
    await t.queue.enqueue('mail');
    await t.queue.enqueue('report');
    t.app.get(PerQueue).allFull.resolve();
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty'), { succeeded: 2, failed: 0, retried: 0, cancelled: 0 });
    const row = await t.queue.get(elsewhere.id);
    assert.equal(row?.status, TaskStatus.Pending);
    assert.equal(row?.attempts, 0);
  });
});
