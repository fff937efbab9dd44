import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { Task, TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { probeDialect } from '../helpers/dialect-probe.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, eventually, within } from '../helpers/wait.js';

@Injectable()
class Resumable {
  attempts: number[] = [];
  ran = deferred<number>();
  @TaskHandler('resumable')
  run(_p: unknown, ctx: TaskContext) {
    this.attempts.push(ctx.attempt);
    this.ran.resolve(ctx.attempt);
  }
}

eachDatabase('expired leases', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Resumable], runner: { sweepIntervalMs: 100 } });
  });
  afterEach(() => t.close());

  /** Leaves the task as a worker that died mid-attempt would: running, its lease expired. */
  async function abandon(id: number, attempts: number): Promise<void> {
    const updated = await t.orm.em.fork().nativeUpdate(Task, { id }, {
      status: TaskStatus.Running, attempts, lockedBy: 'dead-worker', lockedUntil: new Date(Date.now() - 1000), startedAt: new Date(Date.now() - 5000),
    });
    assert.equal(updated, 1);
  }

  it('takes back a task whose worker stopped renewing its lease and runs its next attempt', async () => {
    const task = await t.queue.enqueue('resumable', {}, { maxAttempts: 3 });
    await abandon(task.id, 1);
    await t.runner.start();
    assert.equal(await within(t.app.get(Resumable).ran.promise, 10_000, 'the reclaimed task to run'), 2);
    const done = await eventually(async () => {
      const row = await t.queue.get(task.id);
      return row?.status === TaskStatus.Succeeded ? row : undefined;
    }, 10_000, 'the task to succeed');
    assert.equal(done.attempts, 2);
    assert.match(done.lastError ?? '', /^Lease lost: worker dead-worker stopped renewing its lease .* during attempt 1\.$/);
    assert.deepEqual(t.app.get(Resumable).attempts, [2]);
  });

  it('fails it instead when the lost attempt was its last', async () => {
    const task = await t.queue.enqueue('resumable', {}, { maxAttempts: 2 });
    await abandon(task.id, 2);
    await t.runner.start();
    const failed = await eventually(async () => {
      const row = await t.queue.get(task.id);
      return row?.status === TaskStatus.Failed ? row : undefined;
    }, 10_000, 'the task to fail');
    assert.equal(failed.attempts, 2);
    assert.equal(failed.lockedBy, null);
    assert.match(failed.lastError ?? '', /during attempt 2\.$/);
    assert.deepEqual(t.app.get(Resumable).attempts, []);
  });

  it('leaves a task with a live lease alone', async () => {
    const task = await t.queue.enqueue('resumable');
    await t.orm.em.fork().nativeUpdate(Task, { id: task.id }, { status: TaskStatus.Running, attempts: 1, lockedBy: 'live-worker', lockedUntil: new Date(Date.now() + 600_000) });
    let sweeps = 0;
    const twoSweeps = deferred();
    probeDialect(t.app, 'reclaimExpired', { onSettle: () => void (++sweeps === 2 && twoSweeps.resolve()) });
    await t.runner.start();
    await within(twoSweeps.promise, 10_000, 'two sweeps');
    const row = await t.queue.get(task.id);
    assert.equal(row?.status, TaskStatus.Running);
    assert.equal(row?.lockedBy, 'live-worker');
    assert.deepEqual(t.app.get(Resumable).attempts, []);
  });
});
