import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskCancelledError, TaskEvents, TaskHandler, TaskStatus, type TaskContext, type TaskEventType } from '../../lib/index.js';
import type { Dialect } from '../../lib/dialects/dialect.js';
import { DIALECT } from '../../lib/dialects/dialect.provider.js';
import { eachDatabase } from '../helpers/each-database.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, eventually, within } from '../helpers/wait.js';

/** Starts, then throws or returns when the test says. */
@Injectable()
class Gated {
  readonly started = deferred<number>();
  readonly release = deferred<'throw' | 'return'>();
  @TaskHandler('gated', { maxAttempts: 3, backoff: { baseMs: 50, jitter: 0 } })
  async run(_p: unknown, ctx: TaskContext) {
    this.started.resolve(ctx.taskId);
    if ((await this.release.promise) === 'throw') throw new Error('boom');
    return 'done';
  }
}

const ZERO = { succeeded: 0, failed: 0, retried: 0, cancelled: 0 };

eachDatabase('events, counts and logs report what the database stored', (kind) => {
  let t: TestApp;
  let h: Gated;
  let dialect: Dialect;
  let logs: ReturnType<typeof captureLogs>;
  let seen: string[];
  beforeEach(async () => {
    logs = captureLogs();
    // Renewal far off: it would deliver the cancel request to the handler, which these tests
    // need the database alone to know about.
    t = await createTestApp({ kind, providers: [Gated], logger: logs, runner: { leaseMs: 20_000, leaseRenewIntervalMs: 10_000, shutdownTimeoutMs: 300 } });
    h = t.app.get(Gated);
    dialect = t.app.get<Dialect>(DIALECT);
    seen = [];
    t.app.get(TaskEvents).subscribe((e) => void seen.push(`${e.type}:${e.task.id}`));
  });
  afterEach(() => t.close());

  const eventOf = (type: TaskEventType, id: number) => {
    const d = deferred();
    const off = t.app.get(TaskEvents).subscribe([type], (e) => void (e.task.id === id && d.resolve()));
    return d.promise.finally(off);
  };
  const rawRow = async (id: number) =>
    ((await t.orm.em.fork().getConnection().execute(`select status, locked_by from async_runner_task where id = ${id}`)) as { status: string; locked_by: string | null }[])[0];

  it('a failure stored as cancelled (cancel requested meanwhile) is reported cancelled, and waitFor answers at once', async () => {
    const task = await t.queue.enqueue('gated');
    await t.runner.start();
    assert.equal(await within(h.started.promise, 10_000, 'the handler to start'), task.id);
    // Another process cancels it: only the row's flag is set, this runner is not told.
    assert.equal((await dialect.cancel(task.id, new TaskCancelledError().message))?.action, 'requested');
    const cancelled = eventOf('cancelled', task.id);
    const waited = t.queue.waitFor(task.id, { timeoutMs: 8_000 });
    h.release.resolve('throw');
    await within(cancelled, 5_000, 'the cancelled event');
    const row = await within(waited, 3_000, 'waitFor');
    assert.equal(row.status, TaskStatus.Cancelled);
    assert.match(row.lastError ?? '', /^Error: boom/);
    assert.deepEqual(seen, [`started:${task.id}`, `cancelled:${task.id}`]);
    assert.deepEqual(t.runner.status.counts, { ...ZERO, cancelled: 1 });
    assert.equal(logs.find('log', `Task ${task.id} was cancelled while running.`).length, 1);
    assert.deepEqual(logs.find('warn', `Task ${task.id} failed; retry in`), []);
  });

  it('an outcome the lease fence refused is neither counted nor announced, and is logged once as not written', async () => {
    const task = await t.queue.enqueue('gated');
    await t.runner.start();
    await within(h.started.promise, 10_000, 'the handler to start');
    // Another worker holds the task now (as after a sweep of a lease this worker let lapse).
    await t.orm.em.fork().getConnection().execute(`update async_runner_task set locked_by = 'elsewhere' where id = ${task.id}`);
    h.release.resolve('return');
    const notWritten = `Outcome of task ${task.id} attempt 1 (succeeded) not written (lease lost / runner stopped)`;
    await eventually(async () => logs.find('warn', notWritten).length > 0, 5_000, 'the refused write to be logged');
    await t.runner.stop();
    assert.equal(logs.find('warn', notWritten).length, 1);
    assert.deepEqual(seen, [`started:${task.id}`]);
    assert.deepEqual(t.runner.status.counts, ZERO);
    assert.deepEqual(await rawRow(task.id), { status: 'running', locked_by: 'elsewhere' });
  });

  it('outcomes still unwritten when stop() gives up on them are neither counted nor announced', async () => {
    const task = await t.queue.enqueue('gated');
    await t.runner.start();
    await within(h.started.promise, 10_000, 'the handler to start');
    const conn = t.orm.em.fork().getConnection();
    // The database refuses every write of the runner until after it stopped.
    await conn.execute('alter table async_runner_task rename to async_runner_task_away');
    try {
      h.release.resolve('return');
      await eventually(async () => logs.find('warn', `Writing the outcome of task ${task.id} failed`).length > 0, 5_000, 'the write to fail');
      await t.runner.stop();
      await eventually(async () => logs.find('error', `Could not write the outcome of task ${task.id} before shutdown`).length > 0, 5_000, 'the write to be given up');
    } finally {
      await conn.execute('alter table async_runner_task_away rename to async_runner_task');
    }
    assert.deepEqual(seen, [`started:${task.id}`]);
    assert.deepEqual(t.runner.status.counts, ZERO);
    assert.equal((await rawRow(task.id))?.status, 'running');
  });

  it('waitFor re-reads on a retrying event, so an attempt finished by another process is seen at once', async () => {
    const task = await t.queue.enqueue('gated');
    // A running row of this process is re-read only once per lease: the event must prompt it.
    const read = dialect.getRow.bind(dialect);
    const readRunning = deferred();
    dialect.getRow = async (id, ctx) => {
      const row = await read(id, ctx);
      if (row?.status === 'running') readRunning.resolve();
      return row;
    };
    const retrying = eventOf('retrying', task.id);
    // This process stops after attempt 1; attempt 2 runs elsewhere.
    t.app.get(TaskEvents).subscribe(['retrying'], () => void t.runner.stop());
    await t.runner.start();
    await within(h.started.promise, 10_000, 'the handler to start');
    const waited = t.queue.waitFor(task.id, { timeoutMs: 10_000 });
    await within(readRunning.promise, 5_000, 'waitFor to read the running row');
    h.release.resolve('throw');
    await within(retrying, 5_000, 'the retrying event');
    await t.runner.stop();
    const [claimed] = await eventually(
      async () => {
        const c = await dialect.claim({ workerId: 'elsewhere', queue: 'default', names: ['gated'], limit: 1, leaseMs: 60_000 });
        return c.length > 0 ? c : undefined;
      },
      5_000,
      'attempt 2 to be due',
    );
    assert.equal(claimed!.attempts, 2);
    await dialect.finish('elsewhere', [{ kind: 'succeeded', id: task.id, attempt: 2, result: '"there"' }]);
    const row = await within(waited, 3_000, 'waitFor to see the attempt finished elsewhere');
    assert.equal(row.status, TaskStatus.Succeeded);
    assert.equal(row.result, 'there');
    assert.deepEqual(t.runner.status.counts, { ...ZERO, retried: 1 });
  });
});
