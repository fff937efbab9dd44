import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus, type Task, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

/** Records every call with what the row looked like while the handler ran. */
@Injectable()
class Recorder {
  calls: { taskId: number; attempt: number; maxAttempts: number; row: Task | null }[] = [];
  read: ((id: number) => Promise<Task | null>) | undefined;

  private async record(ctx: TaskContext): Promise<void> {
    this.calls.push({ taskId: ctx.taskId, attempt: ctx.attempt, maxAttempts: ctx.maxAttempts, row: (await this.read?.(ctx.taskId)) ?? null });
  }

  @TaskHandler('always-fails')
  async fail(_payload: unknown, ctx: TaskContext) {
    await this.record(ctx);
    throw new Error(`boom on attempt ${ctx.attempt}`);
  }

  @TaskHandler('fails-once', { maxAttempts: 5 })
  async failsOnce(payload: { label: string }, ctx: TaskContext) {
    await this.record(ctx);
    if (ctx.attempt === 1) throw new Error('first attempt fails');
    return { label: payload.label, attempt: ctx.attempt, nested: { list: [1, 'two', null] } };
  }

  @TaskHandler('returns-nothing')
  async nothing(_payload: unknown, ctx: TaskContext) {
    await this.record(ctx);
  }
}

eachDatabase('attempts and outcomes', (kind) => {
  let t: TestApp;
  let rec: Recorder;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Recorder], runner: { backoff: { baseMs: 20, factor: 2, jitter: 0 } } });
    rec = t.app.get(Recorder);
    rec.read = (id) => t.queue.get(id);
  });
  afterEach(() => t.close());

  it('maxAttempts 3: exactly 3 handler calls, then failed with the last message and stack', async () => {
    const task = await t.queue.enqueue('always-fails', {}, { maxAttempts: 3 });
    assert.equal(task.attempts, 0);
    assert.equal(task.maxAttempts, 3);
    const counts = await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 0, failed: 1, retried: 2, cancelled: 0 });
    assert.equal(rec.calls.length, 3);
    assert.deepEqual(rec.calls.map((c) => c.attempt), [1, 2, 3]);
    assert.deepEqual(rec.calls.map((c) => c.maxAttempts), [3, 3, 3]);
    const done = await t.queue.get(task.id);
    assert.equal(done?.status, TaskStatus.Failed);
    assert.equal(done?.attempts, 3);
    assert.equal(done?.result, null);
    assert.ok(done?.finishedAt instanceof Date);
    assert.match(done?.lastError ?? '', /^Error: boom on attempt 3\n/);
    assert.match(done?.lastError ?? '', /\n\s+at .*attempts-and-outcome\.test\.js/, 'lastError carries the stack');
  });

  it('maxAttempts 1: exactly 1 handler call', async () => {
    const task = await t.queue.enqueue('always-fails', {}, { maxAttempts: 1 });
    const counts = await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 0, failed: 1, retried: 0, cancelled: 0 });
    assert.equal(rec.calls.length, 1);
    const done = await t.queue.get(task.id);
    assert.equal(done?.status, TaskStatus.Failed);
    assert.equal(done?.attempts, 1);
    assert.match(done?.lastError ?? '', /^Error: boom on attempt 1\n/);
  });

  it('uses the module maxAttempts (3) when neither handler nor enqueue sets one', async () => {
    const task = await t.queue.enqueue('always-fails');
    assert.equal(task.maxAttempts, 3);
    await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.equal(rec.calls.length, 3);
  });

  it('increments attempts at claim, before the handler runs', async () => {
    const task = await t.queue.enqueue('always-fails', {}, { maxAttempts: 3 });
    await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.deepEqual(rec.calls.map((c) => c.row?.attempts), [1, 2, 3]);
    assert.deepEqual(rec.calls.map((c) => c.row?.status), ['running', 'running', 'running']);
    assert.deepEqual(rec.calls.map((c) => c.taskId), [task.id, task.id, task.id]);
  });

  it('success stores the JSON result and marks succeeded; the failed attempt left its error', async () => {
    const task = await t.queue.enqueue('fails-once', { label: 'L' });
    assert.equal(task.maxAttempts, 5, 'handler option maxAttempts applies');
    const counts = await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 1, failed: 0, retried: 1, cancelled: 0 });
    assert.deepEqual(rec.calls.map((c) => c.attempt), [1, 2]);
    const done = await t.queue.get(task.id);
    assert.equal(done?.status, TaskStatus.Succeeded);
    assert.equal(done?.attempts, 2);
    assert.deepEqual(done?.result, { label: 'L', attempt: 2, nested: { list: [1, 'two', null] } });
    assert.match(done?.lastError ?? '', /^Error: first attempt fails/);
  });

  it('a handler returning undefined succeeds with a null result', async () => {
    const task = await t.queue.enqueue('returns-nothing');
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty'), { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    const done = await t.queue.get(task.id);
    assert.equal(done?.status, TaskStatus.Succeeded);
    assert.equal(done?.result, null);
    assert.equal(done?.attempts, 1);
  });
});
