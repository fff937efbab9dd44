import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { InvalidPayloadError, TaskHandler, TaskStatus, type TaskContext, type TaskQueue } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

@Injectable()
class Steps {
  queue: TaskQueue | undefined;
  seenMidway: unknown;
  badProgress: unknown;

  @TaskHandler('steps')
  async steps(_p: unknown, ctx: TaskContext) {
    await ctx.progress({ done: 1, of: 2 });
    this.seenMidway = (await this.queue!.get(ctx.taskId))?.progress;
    try {
      await ctx.progress({ n: 1n });
    } catch (error) {
      this.badProgress = error;
    }
    await ctx.progress({ done: 2, of: 2, at: new Date('2026-05-01T00:00:00.000Z') });
    return 'ok';
  }
}

eachDatabase('progress', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Steps] });
    t.app.get(Steps).queue = t.queue;
  });
  afterEach(() => t.close());

  it('stores each JSON progress value, readable while running and after; a bad value is refused to the handler', async () => {
    const task = await t.queue.enqueue('steps');
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty'), { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    const steps = t.app.get(Steps);
    assert.deepEqual(steps.seenMidway, { done: 1, of: 2 });
    assert.ok(steps.badProgress instanceof InvalidPayloadError);
    assert.equal((steps.badProgress as InvalidPayloadError).message, 'Task progress is not plain JSON at $.n: BigInt has no JSON form; send it as a string');
    const row = await t.queue.get(task.id);
    assert.equal(row?.status, TaskStatus.Succeeded);
    assert.deepEqual(row?.progress, { done: 2, of: 2, at: '2026-05-01T00:00:00.000Z' });
  });
});
