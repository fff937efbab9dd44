import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { countByStatus } from '../helpers/rows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

const CONCURRENCY = 3;
const TASKS = 14;

/** Counts handlers running at once; the first ones hold until every slot is taken, so the cap is reached. */
@Injectable()
class Overlap {
  active = 0;
  maxActive = 0;
  runs: number[] = [];
  full = deferred();
  inFlightWhenFull = -1;
  /** status.inFlight as seen by each handler when it started. */
  inFlightSamples: number[] = [];
  statusRead: (() => number) | undefined;

  @TaskHandler('overlap')
  async run(_payload: unknown, ctx: TaskContext) {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    this.runs.push(ctx.taskId);
    this.inFlightSamples.push(this.statusRead?.() ?? -1);
    try {
      if (this.active === CONCURRENCY && this.inFlightWhenFull === -1) {
        this.inFlightWhenFull = this.statusRead?.() ?? -2;
        this.full.resolve();
      }
      await within(this.full.promise, 10_000, 'every slot to be taken');
      // Yield a few turns so later handlers get the chance to overlap (or overflow).
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    } finally {
      this.active--;
    }
  }
}

eachDatabase('concurrency cap', (kind) => {
  let t: TestApp;
  let overlap: Overlap;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Overlap], runner: { concurrency: CONCURRENCY, pollIntervalMs: 10 } });
    overlap = t.app.get(Overlap);
    overlap.statusRead = () => t.runner.status.inFlight;
  });
  afterEach(() => t.close());

  it('never runs more than concurrency handlers at once, and runs every task exactly once', async () => {
    const ids = (await t.queue.enqueueMany(Array.from({ length: TASKS }, () => ({ name: 'overlap' })))).map((x) => x.id);
    const counts = await within(t.runner.runUntilEmpty(), 20_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: TASKS, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(overlap.maxActive, CONCURRENCY);
    assert.equal(overlap.inFlightWhenFull, CONCURRENCY);
    assert.ok(overlap.inFlightSamples.length > 0);
    assert.ok(Math.max(...overlap.inFlightSamples) <= CONCURRENCY, `status.inFlight reached ${Math.max(...overlap.inFlightSamples)}`);
    assert.equal(overlap.runs.length, TASKS);
    assert.deepEqual([...overlap.runs].sort((a, b) => a - b), ids);
    const byStatus = await countByStatus(t.orm);
    assert.equal(byStatus[TaskStatus.Succeeded], TASKS);
    assert.equal(byStatus[TaskStatus.Pending] + byStatus[TaskStatus.Running] + byStatus[TaskStatus.Failed], 0);
  });

  it('keeps the cap when tasks keep arriving while it runs', async () => {
    await t.runner.start();
    const enqueues: Promise<unknown>[] = [];
    for (let i = 0; i < TASKS; i++) enqueues.push(t.queue.enqueue('overlap'));
    await Promise.all(enqueues);
    await within(t.runner.runUntilEmpty(), 20_000, 'runUntilEmpty');
    await t.runner.stop();
    assert.equal(overlap.maxActive, CONCURRENCY);
    assert.equal(overlap.runs.length, TASKS);
    assert.equal(new Set(overlap.runs).size, TASKS);
  });
});
