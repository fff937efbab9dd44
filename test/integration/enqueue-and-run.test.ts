import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

@Injectable()
class Doubler {
  calls: number[] = [];
  @TaskHandler('double')
  double(payload: { n: number }, ctx: TaskContext) {
    this.calls.push(ctx.taskId);
    return { doubled: payload.n * 2 };
  }
}

eachDatabase('enqueue and run', (kind) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ kind, providers: [Doubler] });
  });
  after(() => t.close());

  it('runs every enqueued task once and stores its result', async () => {
    const single = await t.queue.enqueue('double', { n: 21 });
    const many = await t.queue.enqueueMany(Array.from({ length: 50 }, (_, i) => ({ name: 'double', payload: { n: i } })));
    assert.equal(single.status, TaskStatus.Pending);
    assert.equal(many.length, 50);
    const counts = await t.runner.runUntilEmpty();
    assert.deepEqual(counts, { succeeded: 51, failed: 0, retried: 0, cancelled: 0 });
    const done = await t.queue.get(single.id);
    assert.equal(done?.status, TaskStatus.Succeeded);
    assert.deepEqual(done?.result, { doubled: 42 });
    assert.equal(done?.attempts, 1);
    const calls = t.app.get(Doubler).calls;
    assert.equal(calls.length, 51);
    assert.equal(new Set(calls).size, 51);
  });
});
