import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskEvents, TaskHandler, TaskStatus, type Task } from '../../lib/index.js';
import type { Dialect } from '../../lib/dialects/dialect.js';
import { DIALECT } from '../../lib/dialects/dialect.provider.js';
import { createTestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

/** Fails once; its retry (with jitter) is due in more than 24.8 days, past what one setTimeout can wait. */
@Injectable()
class FarRetry {
  @TaskHandler('far-retry', { backoff: { baseMs: 2_147_483_647, maxMs: 2_147_483_647, jitter: 0.5 } })
  run() {
    throw new Error('later');
  }
}

it('a retry due beyond the longest timer leaves the runner idle: no timer overflow, no spinning', async () => {
  const t = await createTestApp({ kind: 'sqlite', providers: [FarRetry], runner: { pollIntervalMs: 1000 } });
  const overflows: string[] = [];
  const onWarning = (w: Error) => void (w.name === 'TimeoutOverflowWarning' && overflows.push(w.message));
  process.on('warning', onWarning);
  try {
    const retrying = deferred();
    t.app.get(TaskEvents).subscribe(['retrying'], () => retrying.resolve());
    let claims = 0;
    const dialect = t.app.get<Dialect>(DIALECT);
    const claim = dialect.claim.bind(dialect);
    dialect.claim = (req) => (claims++, claim(req));
    await t.runner.start();
    const task: Task = await t.queue.enqueue('far-retry');
    await within(retrying.promise, 10_000, 'the first failure');
    const claimsAtRetry = claims;
    // The window in which a timer that fires at once (instead of in weeks) would spin: a few
    // hundred ms. Before the fix it logged a warning and claimed again every few ms.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(overflows, []);
    assert.ok(claims - claimsAtRetry <= 5, `${claims - claimsAtRetry} claims in 300 ms while idle`);
    const row = await t.queue.get(task.id);
    assert.equal(row?.status, TaskStatus.Pending);
    assert.ok(row!.runAt.getTime() - Date.now() > 2_000_000_000);
    await within(t.runner.stop(), 10_000, 'stop()');
  } finally {
    process.off('warning', onWarning);
    await t.close();
  }
});
