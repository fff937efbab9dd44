import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

@Injectable()
class Awkward {
  @TaskHandler('nul-error', { maxAttempts: 1 })
  nul() {
    // PostgreSQL refuses NUL in text; the error must still be recorded, and nothing else held up.
    throw new Error('could not parse header \u0000\u0001 in upload');
  }

  @TaskHandler('unprintable', { maxAttempts: 1 })
  unprintable() {
    const error = new Error('hidden');
    Object.defineProperty(error, 'stack', { get: () => { throw new Error('stack getter throws'); } });
    throw error;
  }

  @TaskHandler('ok')
  ok(payload: { n: number }) {
    return payload.n;
  }
}

eachDatabase('outcomes the database could refuse', (kind) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ kind, providers: [Awkward] });
  });
  after(() => t.close());

  it('records an error containing NUL and an unprintable error, and never holds up other outcomes', async () => {
    const nul = await t.queue.enqueue('nul-error');
    const unprintable = await t.queue.enqueue('unprintable');
    const oks = await t.queue.enqueueMany([1, 2, 3, 4, 5].map((n) => ({ name: 'ok', payload: { n } })));
    const counts = await within(t.runner.runUntilEmpty(), 20_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 5, failed: 2, retried: 0, cancelled: 0 });
    const nulRow = await t.queue.get(nul.id);
    assert.equal(nulRow?.status, TaskStatus.Failed);
    assert.match(nulRow?.lastError ?? '', /^Error: could not parse header \\0\u0001 in upload/);
    const unprintableRow = await t.queue.get(unprintable.id);
    assert.equal(unprintableRow?.status, TaskStatus.Failed);
    assert.equal(unprintableRow?.lastError, 'Unprintable error thrown (reading its message or stack threw)');
    for (const task of oks) assert.equal((await t.queue.get(task.id))?.status, TaskStatus.Succeeded);
  });
});
