import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus, UnknownTaskError } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { countTasks } from '../helpers/rows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

@Injectable()
class Known {
  ran: string[] = [];
  next = deferred<string>();
  @TaskHandler('known')
  known(payload: { label: string }) {
    this.ran.push(payload.label);
    this.next.resolve(payload.label);
  }
}

eachDatabase('rows for names with no handler here', (kind) => {
  let worker: TestApp;
  let producer: TestApp;
  let known: Known;
  before(async () => {
    worker = await createTestApp({ kind, providers: [Known] });
    // A producer-only app on the same database: it has no handlers and enqueues names handled elsewhere.
    producer = await createTestApp({ db: worker.db, createSchema: false, runner: { allowUnknownTasks: true } });
    known = worker.app.get(Known);
  });
  after(async () => {
    await producer.close();
    await worker.close();
  });

  it('the worker refuses to enqueue a name it has no handler for, writing nothing', async () => {
    const before = await countTasks(worker.orm);
    await assert.rejects(worker.queue.enqueue('ghost', {}), (error: unknown) => {
      assert.ok(error instanceof UnknownTaskError);
      assert.equal(error.taskName, 'ghost');
      assert.match(error.message, /No @TaskHandler is registered for task "ghost"\. Known tasks: "known"\./);
      assert.match(error.message, /allowUnknownTasks: true/);
      return true;
    });
    assert.equal(await countTasks(worker.orm), before);
  });

  it('leaves the unknown row pending and untouched while other tasks keep running', async () => {
    const ghost = await producer.queue.enqueue('ghost', { from: 'producer' }, { priority: 100 });
    assert.equal(ghost.name, 'ghost');
    await producer.queue.enqueue('known', { label: 'from-producer' });
    await worker.queue.enqueue('known', { label: 'from-worker' });
    const counts = await within(worker.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 2, failed: 0, retried: 0, cancelled: 0 });
    assert.deepEqual([...known.ran].sort(), ['from-producer', 'from-worker']);

    await worker.runner.start();
    known.next = deferred<string>();
    await worker.queue.enqueue('known', { label: 'while-running' });
    assert.equal(await within(known.next.promise, 10_000, 'a known task while the ghost row waits'), 'while-running');
    assert.equal(worker.runner.status.state, 'running');
    await worker.runner.stop();

    const row = await worker.queue.get(ghost.id);
    assert.equal(row?.status, TaskStatus.Pending);
    assert.equal(row?.attempts, 0);
    assert.equal(row?.lastError, null);
    assert.equal(row?.lockedBy, null);
    assert.deepEqual(row?.payload, { from: 'producer' });
  });

  it('runUntilEmpty on an app with no handlers resolves at once instead of waiting forever', async () => {
    await producer.queue.enqueue('ghost', {});
    assert.deepEqual(await within(producer.runner.runUntilEmpty(), 5_000, 'runUntilEmpty without handlers'), { succeeded: 0, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(producer.runner.status.state, 'stopped');
  });
});
