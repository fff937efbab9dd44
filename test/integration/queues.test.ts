import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { Task, TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, eventually, within } from '../helpers/wait.js';

@Injectable()
class QueueHandlers {
  gate = deferred();
  blockingNow = 0;
  blockingStarted = 0;
  lightRan = deferred<number>();
  order: string[] = [];

  @TaskHandler('block', { queue: 'busy' })
  async block() {
    this.blockingStarted++;
    this.blockingNow++;
    await this.gate.promise;
    this.blockingNow--;
  }

  @TaskHandler('ping', { queue: 'light' })
  ping(_p: unknown, ctx: TaskContext) {
    this.lightRan.resolve(ctx.taskId);
  }

  @TaskHandler('record', { queue: 'light' })
  record(payload: { label: string }) {
    this.order.push(payload.label);
  }
}

eachDatabase('named queues', (kind) => {
  let t: TestApp;
  let h: QueueHandlers;
  before(async () => {
    t = await createTestApp({ kind, providers: [QueueHandlers], runner: { queues: { busy: 2, light: 1 } } });
    h = t.app.get(QueueHandlers);
  });
  after(async () => {
    h.gate.resolve(); // never leave a blocked handler behind, even when an assertion failed
    await t.close();
  });

  it('a busy queue never takes another queue\'s slots', async () => {
    const blocking = await t.queue.enqueueMany(Array.from({ length: 10 }, () => ({ name: 'block' })));
    assert.deepEqual(new Set(blocking.map((b) => b.queue)), new Set(['busy']));
    await t.runner.start();
    await eventually(async () => h.blockingNow === 2, 10_000, 'both busy slots taken');
    const ping = await t.queue.enqueue('ping');
    assert.equal(ping.queue, 'light');
    assert.equal(await within(h.lightRan.promise, 10_000, 'light queue task while busy is saturated'), ping.id);
    // Exactly the busy queue's 2 slots were in use: it never borrowed the light queue's slot.
    assert.equal(h.blockingStarted, 2);
    h.gate.resolve();
    await t.runner.runUntilEmpty();
    await t.runner.stop();
    assert.equal(await t.orm.em.fork().count(Task, { name: 'block', status: TaskStatus.Succeeded }), 10);
    assert.equal(h.blockingStarted, 10);
  });

  it('honours priorities and start times within a queue', async () => {
    h.order = [];
    const later = await t.queue.enqueue('record', { label: 'in an hour' }, { delayMs: 3_600_000, priority: 100 });
    await t.queue.enqueue('record', { label: 'low' }, { priority: -5 });
    await t.queue.enqueue('record', { label: 'high' }, { priority: 10 });
    await t.queue.enqueue('record', { label: 'normal' });
    await t.queue.enqueue('record', { label: 'past' }, { runAt: new Date(Date.now() - 60_000), priority: -5 });
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 4, failed: 0, retried: 0, cancelled: 0 });
    // Equal priority runs oldest start time first ('past' before 'low').
    assert.deepEqual(h.order, ['high', 'normal', 'past', 'low']);
    assert.equal((await t.queue.get(later.id))?.status, TaskStatus.Pending);
    await t.queue.cancel(later.id);
  });
});
