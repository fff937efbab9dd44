import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { InvalidOptionError, TaskHandler, TaskStatus } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { countTasks } from '../helpers/rows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

@Injectable()
class Sync {
  runs: unknown[] = [];
  @TaskHandler('sync')
  sync(payload: unknown) {
    this.runs.push(payload);
  }
}

// Full indexes too on SQLite and PostgreSQL: the tables as an earlier version created them,
// which the same SQL must serve while an app migrates to the partial indexes.
const shapes = [{ partialIndexes: undefined, label: '' }, { partialIndexes: false, label: ', full indexes' }];
for (const shape of shapes) eachDatabase(`uniqueKey${shape.label}`, (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Sync], partialIndexes: shape.partialIndexes });
  });
  afterEach(() => t.close());

  it('while a task with the key is open, enqueue returns it instead of adding another', async () => {
    const first = await t.queue.enqueue('sync', { n: 1 }, { uniqueKey: 'user:1' });
    const again = await t.queue.enqueue('sync', { n: 2 }, { uniqueKey: 'user:1' });
    const concurrent = await Promise.all([1, 2, 3].map((n) => t.queue.enqueue('sync', { n }, { uniqueKey: 'user:2' })));
    assert.equal(again.id, first.id);
    assert.deepEqual(again.payload, { n: 1 });
    assert.equal(new Set(concurrent.map((c) => c.id)).size, 1);
    assert.equal(await countTasks(t.orm), 2);
    const many = await t.queue.enqueueMany([
      { name: 'sync', payload: { n: 9 }, options: { uniqueKey: 'user:1' } },
      { name: 'sync', payload: { n: 10 } },
    ]);
    assert.equal(many[0]?.id, first.id);
    assert.notEqual(many[1]?.id, first.id);
    assert.equal(await countTasks(t.orm), 3);

    assert.deepEqual(await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty'), { succeeded: 3, failed: 0, retried: 0, cancelled: 0 });
    // Once finished, the key is free again.
    const next = await t.queue.enqueue('sync', { n: 4 }, { uniqueKey: 'user:1' });
    assert.notEqual(next.id, first.id);
    assert.equal(next.status, TaskStatus.Pending);
    assert.equal(await countTasks(t.orm), 4);
  });

  it('rejects an empty key naming the option', async () => {
    await assert.rejects(t.queue.enqueue('sync', {}, { uniqueKey: '' }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'uniqueKey');
    assert.equal(await countTasks(t.orm), 0);
  });
}, shape.partialIndexes === false ? ['sqlite', 'postgres'] : undefined);
