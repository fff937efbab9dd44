import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { InvalidOptionError, OnTaskEvent, TaskEvents, TaskHandler, type TaskContext, type TaskEvent, type TaskFailedEvent } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestDatabase } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

@Injectable()
class Jobs {
  @TaskHandler('flaky-once', { maxAttempts: 3, backoff: { baseMs: 5, jitter: 0 } })
  flaky(payload: { n: number }, ctx: TaskContext) {
    if (ctx.attempt === 1) throw new Error('first attempt fails');
    return payload.n * 2;
  }

  @TaskHandler('always-fails', { maxAttempts: 1 })
  fails() {
    throw new TypeError('broken');
  }
}

@Injectable()
class Listener {
  all: string[] = [];
  failures: TaskFailedEvent[] = [];

  @OnTaskEvent()
  onAny(event: TaskEvent) {
    this.all.push(`${event.type}:${event.task.name}:${event.task.attempt}`);
  }

  @OnTaskEvent('failed')
  onFailed(event: TaskFailedEvent) {
    this.failures.push(event);
  }

  @OnTaskEvent('succeeded')
  throws() {
    throw new Error('listener bug');
  }
}

eachDatabase('task events', (kind) => {
  let t: TestApp;
  const logs = captureLogs();
  before(async () => {
    t = await createTestApp({ kind, providers: [Jobs, Listener], logger: logs });
  });
  after(() => t.close());

  it('reports started, retrying, succeeded, failed and cancelled, to decorated methods and subscribers', async () => {
    const listener = t.app.get(Listener);
    const typed: Array<[string, unknown]> = [];
    const unsubscribe = t.app.get(TaskEvents).subscribe(['succeeded', 'retrying'], (e) => {
      typed.push(e.type === 'succeeded' ? [e.type, e.result] : [e.type, e.delayMs]);
    });
    const flaky = await t.queue.enqueue('flaky-once', { n: 21 });
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 1, failed: 0, retried: 1, cancelled: 0 });
    const failing = await t.queue.enqueue('always-fails');
    await t.runner.runUntilEmpty();
    const pending = await t.queue.enqueue('flaky-once', { n: 1 }, { delayMs: 3_600_000 });
    await t.queue.cancel(pending.id);
    unsubscribe();
    await t.queue.enqueue('flaky-once', { n: 2 }).then((x) => t.queue.cancel(x.id));

    assert.deepEqual(listener.all, [
      'started:flaky-once:1',
      'retrying:flaky-once:1',
      'started:flaky-once:2',
      'succeeded:flaky-once:2',
      'started:always-fails:1',
      'failed:always-fails:1',
      'cancelled:flaky-once:0',
      'cancelled:flaky-once:0',
    ]);
    assert.deepEqual(typed, [['retrying', 5], ['succeeded', 42]]);
    assert.equal(listener.failures.length, 1);
    assert.equal(listener.failures[0]!.task.id, failing.id);
    assert.equal(listener.failures[0]!.error, 'TypeError: broken');
    assert.equal((await t.queue.get(flaky.id))?.result, 42);
    // The throwing listener was logged and disturbed nothing.
    assert.equal(logs.find('error', `A "succeeded" listener for task ${flaky.id} (flaky-once) threw: Error: listener bug`).length, 1);
    assert.equal(logs.find('warn', `Task ${flaky.id} failed; retry in 5 ms. Error: first attempt fails`).length, 1);
    assert.equal(logs.find('error', `Task ${failing.id} failed for good: TypeError: broken`).length, 1);
  });
});

eachDatabase('task event validation', (kind) => {
  it('refuses unknown event types from subscribe() and @OnTaskEvent()', async () => {
    @Injectable()
    class Misspelled {
      @OnTaskEvent('finished' as never)
      on() {}
    }
    const db = await createTestDatabase(kind);
    try {
      await assert.rejects(createTestApp({ db, providers: [Misspelled] }), (e: unknown) => {
        assert.ok(e instanceof InvalidOptionError);
        assert.equal(e.message, 'Invalid option "@OnTaskEvent() on Misspelled.on": expected event types among started, succeeded, retrying, failed, cancelled, received "finished".');
        return true;
      });
    } finally {
      await db.drop();
    }
    const t = await createTestApp({ kind });
    try {
      const events = t.app.get(TaskEvents);
      assert.throws(() => events.subscribe(['done' as never], () => undefined), /Invalid option "types": expected a list of event types among started, succeeded, retrying, failed, cancelled, received \["done"\]/);
      assert.throws(() => events.subscribe(['failed'], 'nope' as never), /Invalid option "listener": expected a function, received "nope"/);
    } finally {
      await t.close();
    }
  });
});
