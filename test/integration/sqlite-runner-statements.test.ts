import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

@Injectable()
class Recorder {
  runs: number[] = [];
  @TaskHandler('record')
  record(payload: { n: number }) {
    this.runs.push(payload.n);
  }
}

class Rollback extends Error {}

// On SQLite the runner sends its statements to the driver directly (as cached prepared
// statements) while holding the ORM client's connection lock. These tests pin down what that
// lock must keep true on the one shared connection.
eachDatabase('runner statements on the shared SQLite connection', (kind) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ kind, providers: [Recorder], runner: { concurrency: 3 } });
  });
  after(() => t.close());

  it('never claim a task from inside an app transaction that then rolls back', async () => {
    await t.runner.start();
    const inserted = deferred<number>();
    const attempt = t.orm.em.fork().transactional(async (em) => {
      const task = await t.queue.enqueue('record', { n: 1 }, { em });
      inserted.resolve(task.id);
      // The enqueue woke the runner; give its claim (and a few polls) the chance to slip
      // into this open transaction before it rolls back.
      await new Promise((r) => setTimeout(r, 300));
      throw new Rollback();
    });
    await assert.rejects(attempt, Rollback);
    const id = await inserted.promise;
    assert.equal(await t.queue.get(id), null);
    const counts = await within(t.runner.runUntilEmpty(), 10_000, 'the runner to go idle');
    assert.deepEqual(counts, { succeeded: 0, failed: 0, retried: 0, cancelled: 0 });
    assert.deepEqual(t.app.get(Recorder).runs, []);
    await t.runner.stop();
  });

  it('runs tasks through many statement shapes exactly once (claims and finishes of every batch size)', async () => {
    const recorder = t.app.get(Recorder);
    recorder.runs = [];
    // Uneven enqueues make claims and finish batches of many different sizes.
    let n = 0;
    for (const size of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233]) {
      await t.queue.enqueueMany(Array.from({ length: size }, () => ({ name: 'record', payload: { n: n++ } })));
    }
    const counts = await within(t.runner.runUntilEmpty(), 30_000, 'all tasks to run');
    assert.deepEqual(counts, { succeeded: n, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(recorder.runs.length, n);
    assert.equal(new Set(recorder.runs).size, n);
    const rows = await t.orm.em.getConnection().execute('select status, count(*) as c from async_runner_task group by status') as { status: string; c: number }[];
    assert.deepEqual(rows.map((r) => [r.status, Number(r.c)]), [[TaskStatus.Succeeded, n]]);
  });
}, ['sqlite']);
