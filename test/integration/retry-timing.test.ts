import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, eventually, within } from '../helpers/wait.js';

const BASE = 40;

@Injectable()
class Flaky {
  starts: number[] = [];
  firstCall = deferred();

  @TaskHandler('flaky', { maxAttempts: 4, backoff: { baseMs: BASE, factor: 2, jitter: 0 } })
  flaky(_payload: unknown, ctx: TaskContext) {
    this.starts.push(Date.now());
    throw new Error(`attempt ${ctx.attempt} failed`);
  }

  // Default jitter (0.2) and a retry far away, so the stored next start can be inspected.
  @TaskHandler('slow-retry', { maxAttempts: 2, backoff: { baseMs: 60_000 } })
  slowRetry() {
    this.firstCall.resolve();
    throw new Error('retry me later');
  }
}

eachDatabase('retry timing', (kind) => {
  let t: TestApp;
  let flaky: Flaky;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Flaky] });
    flaky = t.app.get(Flaky);
  });
  afterEach(() => t.close());

  it('retries start strictly later each time, each at least its backoff delay after the previous start', async () => {
    const task = await t.queue.enqueue('flaky');
    const counts = await within(t.runner.runUntilEmpty(), 15_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 0, failed: 1, retried: 3, cancelled: 0 });
    assert.equal(flaky.starts.length, 4);
    const gaps = flaky.starts.slice(1).map((s, i) => s - flaky.starts[i]!);
    // Lower bounds only: a slow machine makes gaps longer, never shorter.
    gaps.forEach((gap, i) => assert.ok(gap >= BASE * 2 ** i, `retry ${i + 1} started ${gap} ms after the previous attempt; backoff is ${BASE * 2 ** i} ms`));
    for (let i = 1; i < flaky.starts.length; i++) assert.ok(flaky.starts[i]! > flaky.starts[i - 1]!);
    const done = await t.queue.get(task.id);
    assert.equal(done?.status, TaskStatus.Failed);
    assert.equal(done?.attempts, 4);
    assert.match(done?.lastError ?? '', /^Error: attempt 4 failed/);
  });

  it('the first retry is never immediate: it is stored at least baseMs (plus at most jitter) after the attempt began', async () => {
    const task = await t.queue.enqueue('slow-retry');
    await t.runner.start();
    await within(flaky.firstCall.promise, 10_000, 'first attempt');
    const retried = await eventually(async () => {
      const row = await t.queue.get(task.id);
      return row?.status === TaskStatus.Pending && row.lastError ? row : undefined;
    }, 10_000, 'the retry to be scheduled');
    await t.runner.stop();
    assert.equal(retried.attempts, 1);
    assert.match(retried.lastError ?? '', /^Error: retry me later/);
    assert.ok(retried.startedAt instanceof Date);
    const delay = retried.runAt.getTime() - retried.startedAt.getTime();
    assert.ok(delay >= 60_000, `retry scheduled ${delay} ms after the attempt started`);
    // jitter 0.2 adds at most 12 s; the attempt itself took well under 10 s (bounded above).
    assert.ok(delay <= 72_000 + 10_000, `retry scheduled ${delay} ms after the attempt started`);
    const still = await t.queue.get(task.id);
    assert.equal(still?.status, TaskStatus.Pending);
    assert.equal(still?.attempts, 1);
  });
});
