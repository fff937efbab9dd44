import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskEvents, TaskHandler, TaskStatus, type TaskContext, type TaskEvent } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, eventually, within } from '../helpers/wait.js';

@Injectable()
class Prefetched {
  runs = new Map<number, number>();
  order: number[] = [];
  started = deferred<number>();
  release = deferred();

  @TaskHandler('count', { maxAttempts: 1 })
  count(_p: unknown, ctx: TaskContext) {
    this.runs.set(ctx.taskId, (this.runs.get(ctx.taskId) ?? 0) + 1);
    this.order.push(ctx.taskId);
  }

  tags: string[] = [];

  @TaskHandler('tagged', { maxAttempts: 1 })
  tagged(payload: { tag: string }) {
    this.tags.push(payload.tag);
  }

  @TaskHandler('held', { maxAttempts: 2 })
  async held(_p: unknown, ctx: TaskContext) {
    this.runs.set(ctx.taskId, (this.runs.get(ctx.taskId) ?? 0) + 1);
    this.started.resolve(ctx.taskId);
    await this.release.promise;
  }
}

type Row = { id: number | string; status: string; attempts: number | string; locked_by: string | null };

eachDatabase('prefetch: tasks claimed ahead of free slots', (kind) => {
  let t: TestApp | undefined;
  let second: TestApp | undefined;
  afterEach(async () => {
    await second?.close();
    await t?.close();
    t = second = undefined;
  });

  const open = async (concurrency: number, prefetch: number) => {
    t = await createTestApp({ kind, providers: [Prefetched], runner: { concurrency, prefetch, workerId: 'prefetcher', leaseMs: 2000, leaseRenewIntervalMs: 100 } });
    return { app: t, h: t.app.get(Prefetched) };
  };
  const rows = async (app: TestApp): Promise<Row[]> =>
    (await app.orm.em.getConnection().execute('select id, status, attempts, locked_by from async_runner_task order by id')) as Row[];

  it('runs 500 tasks exactly once each, in claim order (priority first), with a buffer of 50', async () => {
    const { app, h } = await open(2, 50);
    const low = await app.queue.enqueueMany(Array.from({ length: 450 }, () => ({ name: 'count' })));
    const high = await app.queue.enqueueMany(Array.from({ length: 50 }, () => ({ name: 'count', options: { priority: 10 } })));
    const counts = await app.runner.runUntilEmpty();
    assert.deepEqual(counts, { succeeded: 500, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(h.runs.size, 500);
    assert.deepEqual([...new Set(h.runs.values())], [1]);
    // The high-priority tasks were due first, so the first claim took them all.
    assert.deepEqual(new Set(h.order.slice(0, 50)), new Set(high.map((x) => x.id)));
    assert.equal(h.order.slice(50).every((id, i) => i === 0 || id > h.order[50 + i - 1]!), true);
    assert.equal(low.length, 450);
    assert.equal(app.runner.status.prefetched, 0);
    assert.deepEqual(new Set((await rows(app)).map((r) => `${r.status}/${Number(r.attempts)}/${r.locked_by}`)), new Set(['succeeded/1/null']));
  });

  it('holds claimed-ahead tasks while slots are busy; stop() hands them back pending with their attempt', async () => {
    const { app, h } = await open(1, 4);
    const tasks = await app.queue.enqueueMany(Array.from({ length: 5 }, () => ({ name: 'held' })));
    await app.runner.start();
    const first = await within(h.started.promise, 10_000, 'first handler');
    assert.equal(first, tasks[0]!.id);
    assert.equal(app.runner.status.prefetched, 4);
    assert.equal(app.runner.status.inFlight, 1);
    // Claimed ahead: leased to this worker with the claim's attempt, like a running task.
    assert.deepEqual((await rows(app)).map((r) => [r.status, Number(r.attempts), r.locked_by]), Array(5).fill(['running', 1, 'prefetcher']));

    const stopping = app.runner.stop();
    await eventually(async () => (await rows(app)).filter((r) => r.status === 'pending').length === 4, 10_000, 'hand-back of 4 tasks');
    assert.deepEqual(
      (await rows(app)).map((r) => [r.status, Number(r.attempts), r.locked_by]),
      [['running', 1, 'prefetcher'], ...Array(4).fill(['pending', 0, null])],
    );
    assert.equal(app.runner.status.prefetched, 0);
    h.release.resolve();
    await within(stopping, 10_000, 'stop()');
    assert.equal((await app.queue.get(first))?.status, TaskStatus.Succeeded);

    // A later start runs the handed-back tasks as first attempts.
    assert.deepEqual(await app.runner.runUntilEmpty(), { succeeded: 4, failed: 0, retried: 0, cancelled: 0 });
    assert.deepEqual((await rows(app)).map((r) => [r.status, Number(r.attempts)]), Array(5).fill(['succeeded', 1]));
    assert.deepEqual([...h.runs.values()], [1, 1, 1, 1, 1]);
  });

  it('never starts a claimed-ahead task whose lease may have run out during a stall; hands it back', async () => {
    const logs = captureLogs();
    t = await createTestApp({ kind, providers: [Prefetched], logger: logs, runner: { concurrency: 1, prefetch: 3, workerId: 'prefetcher', leaseMs: 1000, leaseRenewIntervalMs: 100 } });
    const h = t.app.get(Prefetched);
    const [first] = await t.queue.enqueueMany(Array.from({ length: 4 }, () => ({ name: 'held' })));
    await t.runner.start();
    assert.equal(await within(h.started.promise, 10_000, 'first handler'), first!.id);
    assert.equal(t.runner.status.prefetched, 3);
    // A blocked event loop longer than the lease: no renewal can run meanwhile.
    const until = performance.now() + 1200;
    while (performance.now() < until);
    // Frees the slot before any timer (renewal included) gets a turn.
    h.release.resolve();
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 4, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(logs.find('warn', '3 task(s) claimed ahead outlived their lease (or all but less than a renewal interval of it) before a slot freed; handed back unstarted.').length, 1);
    // Handed back with their attempt and claimed again on a fresh lease: each ran once, as attempt 1.
    assert.deepEqual([...h.runs.values()], [1, 1, 1, 1]);
    assert.deepEqual((await rows(t)).map((r) => [r.status, Number(r.attempts)]), Array(4).fill(['succeeded', 1]));
  });

  it('never starts a claimed-ahead task whose lease has less than a renewal interval left; hands it back', async () => {
    const logs = captureLogs();
    t = await createTestApp({ kind, providers: [Prefetched], logger: logs, runner: { concurrency: 1, prefetch: 3, workerId: 'prefetcher', leaseMs: 1000, leaseRenewIntervalMs: 100 } });
    const h = t.app.get(Prefetched);
    await t.queue.enqueueMany(Array.from({ length: 4 }, () => ({ name: 'held' })));
    await t.runner.start();
    await within(h.started.promise, 10_000, 'first handler');
    // A stall just short of the lease: at most 50 ms of it are left, less than one renewal interval.
    const until = performance.now() + 950;
    while (performance.now() < until);
    h.release.resolve();
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 4, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(logs.find('warn', '3 task(s) claimed ahead outlived their lease (or all but less than a renewal interval of it)').length, 1);
    assert.deepEqual([...h.runs.values()], [1, 1, 1, 1]);
  });

  it('queues sharing slots take turns: one queue\'s buffer does not hold every slot that frees', async () => {
    t = await createTestApp({ kind, providers: [Prefetched], runner: { queues: ['a', 'b'], concurrency: 1, prefetch: 4 } });
    const h = t.app.get(Prefetched);
    await t.queue.enqueueMany(Array.from({ length: 30 }, (_, i) => ({ name: 'tagged', payload: { tag: `a${i}` }, options: { queue: 'a' } })));
    await t.queue.enqueueMany(Array.from({ length: 3 }, (_, i) => ({ name: 'tagged', payload: { tag: `b${i}` }, options: { queue: 'b' } })));
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 33, failed: 0, retried: 0, cancelled: 0 });
    // Before the fix, queue a's buffer took every freed slot and b ran only after all of a.
    const firstB = h.tags.findIndex((tag) => tag.startsWith('b'));
    assert.ok(firstB >= 0 && firstB < 10, `first task of queue b ran at position ${firstB}: ${h.tags.join(' ')}`);
    assert.equal(h.tags.length, 33);
  });

  it('cancel() of a claimed-ahead task ends it cancelled without running it, from this process and from another', async () => {
    const { app, h } = await open(1, 3);
    const events: TaskEvent[] = [];
    app.app.get(TaskEvents).subscribe((e) => void events.push(e));
    const [a, b, c] = await app.queue.enqueueMany(Array.from({ length: 3 }, () => ({ name: 'held' })));
    await app.runner.start();
    assert.equal(await within(h.started.promise, 10_000, 'first handler'), a!.id);
    assert.equal(app.runner.status.prefetched, 2);

    const asked = await app.queue.cancel(b!.id);
    assert.equal(asked.status, TaskStatus.Running);
    const cancelled = await app.queue.waitFor(b!.id, { timeoutMs: 10_000 });
    assert.deepEqual([cancelled.status, cancelled.attempts, cancelled.lastError, cancelled.lockedBy], [TaskStatus.Cancelled, 0, 'Task was cancelled.', null]);

    // Another app on the same database: the request reaches this runner at its next lease renewal.
    second = await createTestApp({ kind, db: app.db, createSchema: false, runner: { allowUnknownTasks: true } });
    await second.queue.cancel(c!.id);
    await eventually(async () => (await app.queue.get(c!.id))?.status === TaskStatus.Cancelled, 10_000, 'cross-process cancel');
    assert.equal(app.runner.status.prefetched, 0);

    h.release.resolve();
    await app.runner.stop();
    assert.deepEqual([...h.runs.keys()], [a!.id]);
    assert.deepEqual(
      events.filter((e) => e.type === 'cancelled').map((e) => e.task.id).sort(),
      [b!.id, c!.id].sort(),
    );
    assert.equal(app.runner.status.counts.cancelled, 2);
  });
});

eachDatabase('prefetch: stop while a claim is stuck', (kind) => {
  it('stop() waits for a claim blocked on a table lock only up to shutdownTimeoutMs; nothing stays leased afterwards', async () => {
    const t = await createTestApp({ kind, providers: [Prefetched], runner: { prefetch: 10, shutdownTimeoutMs: 300, workerId: 'stuck-claimer' } });
    const locker = await createTestApp({ kind, db: t.db, createSchema: false, runner: { allowUnknownTasks: true } });
    const unlock = deferred();
    const locked = deferred();
    try {
      await t.runner.start();
      const holding = locker.orm.em.transactional(async (em) => {
        const conn = em.getConnection();
        const trx = em.getTransactionContext();
        await conn.execute('LOCK TABLE async_runner_task IN ACCESS EXCLUSIVE MODE', [], 'run', trx);
        await conn.execute("INSERT INTO async_runner_task (queue, name, payload, status, priority, run_at, attempts, max_attempts, cancel_requested, created_at) SELECT 'default', 'count', 'null', 'pending', 0, now(), 0, 3, false, now() FROM generate_series(1, 3)", [], 'run', trx);
        locked.resolve();
        await unlock.promise;
      });
      await within(locked.promise, 10_000, 'table lock');
      const conn = locker.orm.em.fork().getConnection();
      await eventually(async () => {
        const [row] = await conn.execute<{ n: string }[]>("select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and query like 'UPDATE %async_runner_task%'");
        return Number(row!.n) > 0;
      }, 10_000, 'a claim waiting on the lock');
      // Resolves while the claim is still blocked: the lock is released only afterwards.
      await within(t.runner.stop(), 5_000, 'stop() with a claim stuck on a lock');
      assert.equal(t.runner.status.state, 'stopped');
      unlock.resolve();
      await holding;
      await eventually(async () => {
        const [row] = await conn.execute<{ n: string }[]>("select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and query like 'UPDATE %async_runner_task%'");
        return Number(row!.n) === 0;
      }, 10_000, 'the claim to end');
      // Whatever the late claim took was handed back at once: pending, first attempt unspent.
      await eventually(async () => {
        const rows = (await conn.execute('select status, attempts, locked_by from async_runner_task')) as Row[];
        return rows.length === 3 && rows.every((r) => r.status === 'pending' && Number(r.attempts) === 0 && r.locked_by === null);
      }, 10_000, 'three pending, unleased tasks');
    } finally {
      unlock.resolve();
      await locker.close();
      await t.close();
    }
  });
}, ['postgres']);
