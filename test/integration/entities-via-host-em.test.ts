import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { AsyncStop, Task, TaskHandler, TaskStatus } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

@Injectable()
class Adder {
  @TaskHandler('add')
  add(payload: { a: number; b: number }) {
    return payload.a + payload.b;
  }
}

eachDatabase('Task and AsyncStop through the host’s EntityManager', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Adder] });
  });
  afterEach(() => t.close());

  it('reads the same values TaskQueue returns, with number ids usable with TaskQueue.get', async () => {
    const queued = await t.queue.enqueue('add', { a: 2, b: 3 }, { priority: 4, delayMs: 60_000 });
    const task = await t.orm.em.fork().findOneOrFail(Task, { name: 'add' });
    assert.equal(typeof task.id, 'number');
    assert.equal(task.id, queued.id);
    assert.deepEqual(task.payload, { a: 2, b: 3 });
    assert.equal(task.status, TaskStatus.Pending);
    assert.equal(task.priority, 4);
    assert.equal(task.attempts, 0);
    assert.equal(task.maxAttempts, 3);
    assert.equal(task.cancelRequested, false);
    assert.ok(task.runAt instanceof Date);
    assert.equal(task.runAt.getTime(), queued.runAt.getTime());
    assert.equal(task.createdAt.getTime(), queued.createdAt.getTime());
    assert.equal((await t.queue.get(task.id))?.id, queued.id);

    await t.queue.requestStop('why');
    const stop = await t.orm.em.fork().findOneOrFail(AsyncStop, { reason: 'why' });
    assert.equal(typeof stop.id, 'number');
    assert.equal(stop.scope, 'all');
    assert.ok(stop.createdAt instanceof Date);
  });

  it('a task the host writes through its EntityManager is run like an enqueued one', async () => {
    const em = t.orm.em.fork();
    const task = em.create(Task, {
      queue: 'default', name: 'add', payload: { a: 40, b: 2 }, status: TaskStatus.Pending, priority: 0,
      runAt: new Date(Date.now() - 1000), attempts: 0, maxAttempts: 1, cancelRequested: false, createdAt: new Date(),
    } as never) as Task;
    await em.flush();
    assert.equal(typeof task.id, 'number');
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty'), { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    const done = await t.queue.get(task.id);
    assert.equal(done?.status, TaskStatus.Succeeded);
    assert.equal(done?.result, 42);
    const viaEm = await t.orm.em.fork().findOneOrFail(Task, task.id);
    assert.equal(viaEm.result, 42);
    assert.ok(viaEm.finishedAt instanceof Date);
  });
});
