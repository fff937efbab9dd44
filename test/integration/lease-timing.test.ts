import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { LeaseLostError, TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import type { Dialect } from '../../lib/dialects/dialect.js';
import { DIALECT } from '../../lib/dialects/dialect.provider.js';
import { eachDatabase } from '../helpers/each-database.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

@Injectable()
class Timed {
  quick = deferred<number>();
  @TaskHandler('quick')
  runQuick(_p: unknown, ctx: TaskContext) {
    this.quick.resolve(ctx.taskId);
  }

  firstDone = deferred();
  @TaskHandler('first')
  async runFirst() {
    await new Promise((r) => setTimeout(r, 1150));
    this.firstDone.resolve();
  }

  secondAborted = deferred<{ reason: unknown; at: number }>();
  @TaskHandler('second')
  async runSecond(_p: unknown, ctx: TaskContext) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.secondAborted.resolve({ reason: ctx.signal.reason, at: performance.now() });
        resolve();
      }, { once: true });
    });
  }

  longStarted = deferred();
  longReason: unknown;
  @TaskHandler('long')
  async runLong(_p: unknown, ctx: TaskContext) {
    this.longStarted.resolve();
    await new Promise((r) => setTimeout(r, 2500));
    this.longReason = ctx.signal.reason;
    return 'ok';
  }
}

eachDatabase('lease timing', (kind) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('a renewal interval close to leaseMs still starts freshly claimed tasks (a slow claim included)', async () => {
    const logs = captureLogs();
    t = await createTestApp({ kind, providers: [Timed], logger: logs, runner: { leaseMs: 1000, leaseRenewIntervalMs: 850 } });
    const dialect = t.app.get<Dialect>(DIALECT);
    const claim = dialect.claim.bind(dialect);
    // A database 150 ms away, or a claim that waited on a lock.
    dialect.claim = async (req) => {
      const out = await claim(req);
      await new Promise((r) => setTimeout(r, 150));
      return out;
    };
    const task = await t.queue.enqueue('quick');
    await t.runner.start();
    assert.equal(await within(t.app.get(Timed).quick.promise, 10_000, 'the task to run'), task.id);
    assert.deepEqual(logs.find('warn', 'handed back unstarted'), []);
    await within(t.runner.stop(), 10_000, 'stop()');
  });

  it('a renewal answer confirms the lease of a task started from the buffer while it was out', async () => {
    t = await createTestApp({ kind, providers: [Timed], logger: captureLogs(), runner: { concurrency: 1, prefetch: 5, leaseMs: 3000, leaseRenewIntervalMs: 1000, sweepIntervalMs: 300_000 } });
    const h = t.app.get(Timed);
    const dialect = t.app.get<Dialect>(DIALECT);
    const renew = dialect.renew.bind(dialect);
    let calls = 0;
    let firstSentAt = 0;
    dialect.renew = async (workerId, ids, leaseMs) => {
      if (++calls === 1) {
        firstSentAt = performance.now();
        const answer = await renew(workerId, ids, leaseMs);
        await new Promise((r) => setTimeout(r, 400)); // a slow answer: 'first' finishes and 'second' starts meanwhile
        return answer;
      }
      return new Promise<never>(() => {}); // then the database stops answering
    };
    await t.queue.enqueue('first', undefined, { priority: 10 });
    await t.queue.enqueue('second');
    await t.runner.start();
    await within(h.firstDone.promise, 10_000, 'the first task');
    const { reason, at } = await within(h.secondAborted.promise, 10_000, 'the second task to be aborted');
    assert.ok(reason instanceof LeaseLostError);
    // The first renewal confirmed its lease for 3000 ms from when it was sent.
    assert.ok(at - firstSentAt >= 3000, `aborted ${Math.round(at - firstSentAt)} ms after the renewal that confirmed it for 3000 ms`);
    await within(t.runner.stop(), 10_000, 'stop()');
  });

  it('an event-loop stall while a renewal is out does not give up a lease that renewal confirms', async (c) => {
    // SQLite answers a renewal within the same turn: it is never out during a stall.
    if (kind === 'sqlite') return c.skip('renewals never wait on the network');
    t = await createTestApp({ kind, providers: [Timed], logger: captureLogs(), runner: { leaseMs: 1000, leaseRenewIntervalMs: 200, sweepIntervalMs: 300_000 } });
    const h = t.app.get(Timed);
    const dialect = t.app.get<Dialect>(DIALECT);
    const renew = dialect.renew.bind(dialect);
    let calls = 0;
    dialect.renew = (workerId, ids, leaseMs) => {
      const answer = renew(workerId, ids, leaseMs);
      if (++calls === 3) {
        setImmediate(() => {
          const end = performance.now() + 900;
          while (performance.now() < end);
        });
      }
      return answer;
    };
    const task = await t.queue.enqueue('long');
    await t.runner.start();
    await within(h.longStarted.promise, 10_000, 'the handler');
    const done = await t.queue.waitFor(task.id, { timeoutMs: 10_000 });
    assert.equal(h.longReason, undefined);
    assert.equal(done.status, TaskStatus.Succeeded);
    await within(t.runner.stop(), 10_000, 'stop()');
  });
});
