import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { LeaseLostError, TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import type { Dialect } from '../../lib/dialects/dialect.js';
import { DIALECT } from '../../lib/dialects/dialect.provider.js';
import { eachDatabase } from '../helpers/each-database.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

/** Runs until its signal aborts, then reports progress and returns. */
@Injectable()
class LongRunning {
  readonly started = deferred<number>();
  readonly aborted = deferred<unknown>();
  readonly settled = deferred<unknown>();
  @TaskHandler('long-running', { maxAttempts: 3 })
  async run(_p: unknown, ctx: TaskContext) {
    this.started.resolve(ctx.taskId);
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    this.aborted.resolve(ctx.signal.reason);
    this.settled.resolve(await ctx.progress('late').then(() => 'written', (e: unknown) => e));
    return 'late result';
  }
}

eachDatabase('a lease no renewal confirms', (kind) => {
  let t: TestApp;
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(async () => {
    logs = captureLogs();
    t = await createTestApp({ kind, providers: [LongRunning], logger: logs, runner: { leaseMs: 1000, leaseRenewIntervalMs: 100, sweepIntervalMs: 300_000 } });
  });
  afterEach(() => t.close());

  for (const [how, renew] of [
    ['hangs', () => new Promise<never>(() => {})],
    ['fails', () => Promise.reject(new Error('connection refused'))],
  ] as const) {
    it(`aborts the handler with LeaseLostError once leaseMs passes with every renewal that ${how}, and writes nothing for it`, async () => {
      const h = t.app.get(LongRunning);
      const dialect = t.app.get<Dialect>(DIALECT);
      // A database that stopped answering, or refuses: no renewal ever confirms the lease.
      dialect.renew = renew;
      const task = await t.queue.enqueue('long-running');
      await t.runner.start();
      await within(h.started.promise, 10_000, 'the handler');
      const reason = await within(h.aborted.promise, 10_000, 'the abort');
      assert.ok(reason instanceof LeaseLostError, `aborted with ${String(reason)}`);
      assert.ok((await within(h.settled.promise, 10_000, 'the handler to settle')) instanceof LeaseLostError);
      assert.equal(logs.find('warn', `No renewal confirmed the lease of task(s) ${task.id} within leaseMs (1000 ms)`).length, 1);
      const row = await t.queue.get(task.id);
      assert.equal(row?.status, TaskStatus.Running);
      assert.equal(row?.result, null);
      assert.equal(row?.progress, null);
      await within(t.runner.stop(), 10_000, 'stop()');
    });
  }
});
