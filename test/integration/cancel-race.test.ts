import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStateError, TaskStatus } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/** Fails within a few ms every time, so its row flips between running and pending all the time. */
@Injectable()
class Flapping {
  @TaskHandler('flapping', { maxAttempts: 1000, backoff: { baseMs: 2, factor: 1, jitter: 0, maxMs: 2 } })
  async run() {
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    throw new Error('again');
  }
}

eachDatabase('cancel() of a task moving between running and pending', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Flapping], runner: { concurrency: 20, pollIntervalMs: 20 } });
  });
  afterEach(() => t.close());

  it('cancels every one of 200 tasks: never refuses as "pending", never leaves one running on', async () => {
    const tasks = await t.queue.enqueueMany(Array.from({ length: 200 }, () => ({ name: 'flapping' })));
    await t.runner.start();
    const refused: string[] = [];
    await Promise.all(
      tasks.map(async (task) => {
        // Spread over the run, so cancels land at every point of a task's running → pending flip.
        await new Promise((r) => setTimeout(r, Math.random() * 800));
        try {
          await t.queue.cancel(task.id);
        } catch (e) {
          if (e instanceof TaskStateError) refused.push(`${task.id}:${e.status}`);
          else throw e;
        }
      }),
    );
    const ended = await Promise.all(tasks.map((task) => t.queue.waitFor(task.id, { timeoutMs: 20_000 })));
    assert.deepEqual(refused, []);
    assert.deepEqual(
      ended.filter((r) => r.status !== TaskStatus.Cancelled).map((r) => `${r.id}:${r.status}`),
      [],
    );
  });
});
