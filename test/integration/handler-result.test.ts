import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

class Report {
  constructor(readonly rows = 3) {}
}

@Injectable()
class Results {
  @TaskHandler('bigint-result', { maxAttempts: 1 })
  bigint() {
    return { total: 10n };
  }

  @TaskHandler('instance-result', { maxAttempts: 1 })
  instance() {
    return { report: new Report() };
  }

  @TaskHandler('huge-result', { maxAttempts: 1 })
  huge() {
    return 'x'.repeat(5000);
  }

  @TaskHandler('throws-string', { maxAttempts: 1 })
  throwsString() {
    throw 'plain string';
  }

  @TaskHandler('fine')
  fine() {
    return { ok: true };
  }
}

eachDatabase('handler results that cannot be stored', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Results], runner: { maxPayloadBytes: 1000 } });
  });
  afterEach(() => t.close());

  it('fails the attempt with a clear error instead of crashing, and the runner goes on', async () => {
    const bigint = await t.queue.enqueue('bigint-result');
    const instance = await t.queue.enqueue('instance-result');
    const huge = await t.queue.enqueue('huge-result');
    const thrown = await t.queue.enqueue('throws-string');
    const fine = await t.queue.enqueue('fine');
    const counts = await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 1, failed: 4, retried: 0, cancelled: 0 });

    const b = await t.queue.get(bigint.id);
    assert.equal(b?.status, TaskStatus.Failed);
    assert.equal(b?.result, null);
    assert.match(b?.lastError ?? '', /^InvalidPayloadError: Task result is not plain JSON at \$\.total: BigInt has no JSON form/);

    const i = await t.queue.get(instance.id);
    assert.equal(i?.status, TaskStatus.Failed);
    assert.match(i?.lastError ?? '', /^InvalidPayloadError: Task result is not plain JSON at \$\.report: instance of Report is not a plain object/);

    const h = await t.queue.get(huge.id);
    assert.equal(h?.status, TaskStatus.Failed);
    assert.match(h?.lastError ?? '', /^OversizedValueError: Task result is 5002 bytes as JSON, over the limit of 1000 bytes/);

    const s = await t.queue.get(thrown.id);
    assert.equal(s?.status, TaskStatus.Failed);
    assert.equal(s?.lastError, 'Non-error thrown: "plain string"');

    assert.deepEqual((await t.queue.get(fine.id))?.result, { ok: true });
    assert.equal(t.runner.status.state, 'stopped');
  });
});
