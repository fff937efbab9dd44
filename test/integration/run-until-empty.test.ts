import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { eventually, within } from '../helpers/wait.js';

@Injectable()
class Work {
  log: string[] = [];

  @TaskHandler('ok')
  ok(payload: { label: string }) {
    this.log.push(payload.label);
    return payload.label;
  }

  @TaskHandler('fails-twice', { maxAttempts: 3, backoff: { baseMs: 150, factor: 2, jitter: 0 } })
  failsTwice(payload: { label: string }, ctx: TaskContext) {
    this.log.push(`${payload.label}#${ctx.attempt}`);
    if (ctx.attempt < 3) throw new Error('not yet');
    return ctx.attempt;
  }

  @TaskHandler('retry-in-ten-minutes', { maxAttempts: 2, backoff: { baseMs: 600_000 } })
  retryLater() {
    this.log.push('retry-later');
    throw new Error('later');
  }

  @TaskHandler('dies', { maxAttempts: 1 })
  dies() {
    this.log.push('dies');
    throw new Error('dead');
  }
}

eachDatabase('runUntilEmpty', (kind) => {
  let t: TestApp;
  let work: Work;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Work] });
    work = t.app.get(Work);
  });
  afterEach(() => t.close());

  it('resolves with zero counts and leaves the runner stopped when there is nothing to do', async () => {
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 5_000, 'runUntilEmpty'), { succeeded: 0, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(t.runner.status.state, 'stopped');
  });

  it('does not resolve while a retry it scheduled is pending: it waits and returns after the retry ran', async () => {
    const flaky = await t.queue.enqueue('fails-twice', { label: 'r' });
    await t.queue.enqueue('ok', { label: 'a' });
    const counts = await within(t.runner.runUntilEmpty(), 15_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 2, failed: 0, retried: 2, cancelled: 0 });
    assert.deepEqual(work.log.filter((l) => l.startsWith('r#')), ['r#1', 'r#2', 'r#3']);
    const done = await t.queue.get(flaky.id);
    assert.equal(done?.status, TaskStatus.Succeeded);
    assert.equal(done?.attempts, 3);
    assert.equal(done?.result, 3);
    assert.equal(t.runner.status.state, 'stopped');
  });

  it('resolves with the right counts for a mix of outcomes', async () => {
    for (const label of ['a', 'b', 'c']) await t.queue.enqueue('ok', { label });
    await t.queue.enqueue('dies');
    await t.queue.enqueue('fails-twice', { label: 'r' });
    const counts = await within(t.runner.runUntilEmpty(), 15_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 4, failed: 1, retried: 2, cancelled: 0 });
    assert.equal(work.log.length, 3 + 1 + 3);
  });

  it('counts only attempts finished during this call', async () => {
    await t.queue.enqueue('ok', { label: 'first' });
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 5_000, 'first run'), { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    await t.queue.enqueue('ok', { label: 'second' });
    await t.queue.enqueue('ok', { label: 'third' });
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 5_000, 'second run'), { succeeded: 2, failed: 0, retried: 0, cancelled: 0 });
    assert.deepEqual(work.log, ['first', 'second', 'third']);
  });

  it('a task a user scheduled far in the future does not keep it waiting, and is not run', async () => {
    const later = await t.queue.enqueue('ok', { label: 'later' }, { delayMs: 3_600_000 });
    const at = await t.queue.enqueue('ok', { label: 'at' }, { runAt: new Date(Date.now() + 3_600_000) });
    await t.queue.enqueue('ok', { label: 'now' });
    const counts = await within(t.runner.runUntilEmpty(), 5_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    assert.deepEqual(work.log, ['now']);
    for (const id of [later.id, at.id]) {
      const row = await t.queue.get(id);
      assert.equal(row?.status, TaskStatus.Pending);
      assert.equal(row?.attempts, 0);
    }
  });

  it('keeps an already running runner running', async () => {
    await t.runner.start();
    await t.queue.enqueue('ok', { label: 'x' });
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 5_000, 'runUntilEmpty'), { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(t.runner.status.state, 'running');
    await t.runner.stop();
    assert.equal(t.runner.status.state, 'stopped');
  });

  it('does not wait for a retry scheduled in an earlier session of the runner', async () => {
    const old = await t.queue.enqueue('retry-in-ten-minutes');
    await t.runner.start();
    await eventually(async () => (await t.queue.get(old.id))?.lastError != null, 10_000, 'the first attempt to fail');
    await t.runner.stop();
    await t.queue.enqueue('ok', { label: 'new session' });
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 5_000, 'runUntilEmpty'), { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    assert.deepEqual(work.log, ['retry-later', 'new session']);
    const row = await t.queue.get(old.id);
    assert.equal(row?.status, TaskStatus.Pending);
    assert.equal(row?.attempts, 1);
  });
});
