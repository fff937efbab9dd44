import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus, TaskTimeoutError, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

@Injectable()
class Waits {
  reasons: unknown[] = [];
  @TaskHandler('waits-for-abort', { timeoutMs: 50, maxAttempts: 2, backoff: { baseMs: 10, jitter: 0 } })
  waits(_p: unknown, ctx: TaskContext) {
    return new Promise((_, reject) =>
      ctx.signal.addEventListener('abort', () => {
        this.reasons.push(ctx.signal.reason);
        reject(ctx.signal.reason);
      }),
    );
  }
}

eachDatabase('attempt timeout', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Waits] });
  });
  afterEach(() => t.close());

  it('aborts the signal with TaskTimeoutError and fails the attempt; maxAttempts still bounds the calls', async () => {
    const task = await t.queue.enqueue('waits-for-abort');
    assert.equal(task.timeoutMs, 50);
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty'), { succeeded: 0, failed: 1, retried: 1, cancelled: 0 });
    const reasons = t.app.get(Waits).reasons;
    assert.equal(reasons.length, 2);
    assert.ok(reasons.every((r) => r instanceof TaskTimeoutError));
    const row = await t.queue.get(task.id);
    assert.equal(row?.status, TaskStatus.Failed);
    assert.equal(row?.attempts, 2);
    assert.match(row?.lastError ?? '', /^TaskTimeoutError: Task attempt timed out after 50 ms\./);
  });

  it('an enqueue timeoutMs overrides the handler’s', async () => {
    const task = await t.queue.enqueue('waits-for-abort', {}, { timeoutMs: 30, maxAttempts: 1 });
    assert.equal(task.timeoutMs, 30);
    await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.match((await t.queue.get(task.id))?.lastError ?? '', /^TaskTimeoutError: Task attempt timed out after 30 ms\./);
  });
});
