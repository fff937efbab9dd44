import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, type EnqueueItem, type Task } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { countTasks } from '../helpers/rows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

@Injectable()
class Noop {
  @TaskHandler('noop')
  noop() {}
}

/** One of each kind of item whose stored row the database or the options shape differently. */
function mixedItems(tag: string): EnqueueItem[] {
  return [
    { name: 'noop', payload: { plain: tag } },
    { name: 'noop' },
    { name: 'noop', payload: { at: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678)), dropped: undefined, list: [1, 'two', null], text: 'quote " back \\ ünï' } },
    { name: 'noop', payload: 'delayed', options: { delayMs: 60_000 } },
    { name: 'noop', payload: 'at', options: { runAt: new Date(Date.now() + 3_600_123) } },
    { name: 'noop', payload: 'first', options: { priority: 7, maxAttempts: 5, timeoutMs: 1234, queue: 'other' } },
    { name: 'noop', payload: 'keyed', options: { uniqueKey: `${tag}:new` } },
    { name: 'noop', payload: 'again', options: { uniqueKey: `${tag}:open` } },
    { name: 'noop', payload: 'dup 1', options: { uniqueKey: `${tag}:dup`, priority: -3 } },
    { name: 'noop', payload: 'dup 2', options: { uniqueKey: `${tag}:dup` } },
  ];
}

eachDatabase('enqueue snapshots', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Noop] });
  });
  afterEach(() => t.close());

  async function assertStoredAsReturned(tasks: Task[]): Promise<void> {
    for (const task of tasks) assert.deepEqual(await t.queue.get(task.id), task);
  }

  it('enqueueMany returns each task exactly as get() reads it afterwards', async () => {
    const open = await t.queue.enqueue('noop', 'open', { uniqueKey: 'a:open', delayMs: 5_000 });
    const tasks = await t.queue.enqueueMany(mixedItems('a'));
    await assertStoredAsReturned([open, ...tasks]);
    assert.equal(tasks[7]!.id, open.id);
    assert.equal(tasks[7]!.payload, 'open');
    assert.equal(tasks[9]!.id, tasks[8]!.id);
    assert.equal(tasks[9]!.payload, 'dup 1');
    assert.equal(tasks[8]!.priority, -3);
    assert.equal(tasks[2]!.payload && (tasks[2]!.payload as { at: string }).at, '2030-01-02T03:04:05.678Z');
    assert.ok(tasks[3]!.runAt.getTime() >= tasks[3]!.createdAt.getTime() + 60_000);
    assert.equal(await countTasks(t.orm), 9);
  });

  it('a batch spanning several statements keeps item order, and every task reads back the same', async () => {
    await t.queue.enqueue('noop', 'open', { uniqueKey: 'b:open' });
    const items: EnqueueItem[] = Array.from({ length: 2_100 }, (_, i) => ({ name: 'noop', payload: { i } }));
    items.splice(999, 0, ...mixedItems('b'));
    items.splice(2_050, 0, { name: 'noop', payload: 'late dup', options: { uniqueKey: 'b:dup' } });
    const tasks = await t.queue.enqueueMany(items);
    assert.equal(tasks.length, items.length);
    tasks.forEach((task, i) => {
      const payload = items[i]!.payload;
      if (payload && typeof payload === 'object' && 'i' in payload) assert.deepEqual(task.payload, payload);
    });
    assert.equal(tasks[2_050]!.id, tasks[999 + 8]!.id);
    await assertStoredAsReturned(tasks);
  });

  it('inside a transaction the snapshots match the committed rows', async () => {
    await t.queue.enqueue('noop', 'open', { uniqueKey: 'c:open' });
    const tasks = await t.orm.em.fork().transactional((em) => t.queue.enqueueMany(mixedItems('c'), { em }));
    await assertStoredAsReturned(tasks);
  });

  it('enqueue returns the task as get() reads it', async () => {
    const tasks = [];
    for (const item of mixedItems('d')) tasks.push(await t.queue.enqueue(item.name, item.payload, item.options));
    await assertStoredAsReturned(tasks);
  });
});
