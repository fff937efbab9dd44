import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { Task, TaskHandler, TaskStatus } from '../../lib/index.js';
import { startChild } from '../helpers/child-worker.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

@Injectable()
class UniqueHandlers {
  runs = 0;
  @TaskHandler('unique-job')
  run() {
    this.runs++;
  }
}

eachDatabase('unique tasks', (kind) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ kind, providers: [UniqueHandlers] });
  });
  after(() => t.close());

  const openWithKey = async (key: string) => {
    const em = t.orm.em.fork();
    return em.count(Task, { uniqueKey: key });
  };

  it('returns the open task for a key while it is pending, and frees the key when it finishes', async () => {
    const first = await t.queue.enqueue('unique-job', {}, { uniqueKey: 'report:42' });
    const second = await t.queue.enqueue('unique-job', { other: true }, { uniqueKey: 'report:42' });
    assert.equal(second.id, first.id);
    assert.deepEqual(second.payload, {});
    const batch = await t.queue.enqueueMany([
      { name: 'unique-job', options: { uniqueKey: 'report:42' } },
      { name: 'unique-job', options: { uniqueKey: 'report:43' } },
      { name: 'unique-job' },
    ]);
    assert.equal(batch[0]!.id, first.id);
    assert.notEqual(batch[1]!.id, first.id);
    assert.equal(batch[2]!.uniqueKey, null);
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 3, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(t.app.get(UniqueHandlers).runs, 3);
    const finished = await t.queue.get(first.id);
    assert.equal(finished?.status, TaskStatus.Succeeded);
    assert.equal(finished?.uniqueKey, null);
    const third = await t.queue.enqueue('unique-job', {}, { uniqueKey: 'report:42' });
    assert.notEqual(third.id, first.id);
    assert.equal(await openWithKey('report:42'), 1);
    await t.queue.cancel(third.id);
  });

  it('holds under concurrent enqueues from several processes: one task per open key', async () => {
    const children = await Promise.all([startChild(t.db, 'enqueue-unique'), startChild(t.db, 'enqueue-unique'), startChild(t.db, 'enqueue-unique')]);
    try {
      for (const round of [1, 2]) {
        for (const c of children) c.send({ type: 'enqueue-unique', key: 'race', count: 20 });
        const replies = await Promise.all(children.map((c) => c.next('ids', 30_000)));
        const ids = replies.flatMap((r) => r.ids as number[]);
        assert.equal(ids.length, 60);
        assert.equal(new Set(ids).size, 1, `round ${round}: every enqueue got the same task`);
        assert.equal(await openWithKey('race'), 1);
        assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
      }
      const em = t.orm.em.fork();
      assert.equal(await em.count(Task, { name: 'unique-job', status: TaskStatus.Succeeded }), 5); // 3 from the test above, 1 per round
    } finally {
      await Promise.all(children.map((c) => c.stop()));
    }
  });
});
