import assert from 'node:assert/strict';
import { after, afterEach, before, it } from 'node:test';
import { TaskStatus } from '../../../lib/index.js';
import { eachDatabase } from '../../helpers/each-database.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import { eventually } from '../../helpers/wait.js';
import { WorkerPool } from '../../helpers/workers.js';

const leaseLost = (workerId: string, attempt: number) =>
  `Lease lost: worker ${workerId} stopped renewing its lease (process died, froze or lost its database connection) during attempt ${attempt}.`;

eachDatabase('crash recovery with worker processes', (kind) => {
  let t: TestApp;
  let pool: WorkerPool;
  before(async () => {
    t = await createTestApp({ kind, runner: { allowUnknownTasks: true } });
  });
  afterEach(() => pool?.killAll());
  after(() => t?.close());

  const finished = (id: number) =>
    eventually(async () => {
      const task = await t.queue.get(id);
      return task && task.status !== TaskStatus.Pending && task.status !== TaskStatus.Running ? task : undefined;
    }, 60_000, `task ${id} to finish`, 50);

  /** Worker a starts a hanging attempt and is SIGKILLed mid-handler; worker b is standing by. */
  const killMidHandler = async (maxAttempts: number) => {
    pool = new WorkerPool(t.db, { CONCURRENCY: '2', LEASE_MS: '1500', SWEEP_MS: '300' });
    const a = pool.start();
    await a.ready;
    const task = await t.queue.enqueue('hang-first', null, { maxAttempts });
    await a.next((m) => m.type === 'started' && m.taskId === task.id, 30_000, 'attempt 1 started');
    const b = pool.start();
    await b.ready;
    await a.kill();
    return { a, b, task, done: await finished(task.id) };
  };

  it('another worker finishes a task after its worker is SIGKILLed mid-handler', async () => {
    const { a, b, task, done } = await killMidHandler(3);
    assert.equal(done.status, TaskStatus.Succeeded);
    assert.equal(done.attempts, 2);
    assert.deepEqual(done.result, { attempt: 2, workerId: b.id });
    assert.equal(done.lastError, leaseLost(a.id, 1));
    assert.equal(done.lockedBy, null);
    assert.deepEqual(b.messages.filter((m) => m.type === 'started').map((m) => [m.taskId, m.attempt]), [[task.id, 2]]);
  });

  it('with maxAttempts 1 the task of a killed worker ends failed with the lease-lost error', async () => {
    const { a, b, done } = await killMidHandler(1);
    assert.equal(done.status, TaskStatus.Failed);
    assert.equal(done.attempts, 1);
    assert.equal(done.lastError, leaseLost(a.id, 1));
    assert.equal(done.lockedBy, null);
    assert.ok(done.finishedAt instanceof Date);
    assert.equal(b.messages.filter((m) => m.type === 'started').length, 0);
  });

  it('a handler that kills its process on every attempt ends failed after maxAttempts', async () => {
    pool = new WorkerPool(t.db, { CONCURRENCY: '2', LEASE_MS: '1500', SWEEP_MS: '300' });
    const task = await t.queue.enqueue('suicide', null, { maxAttempts: 3 });
    const attempts: number[] = [];
    // One bounded watcher for the whole test: a watcher per round would keep querying after the test.
    const final = finished(task.id);
    // A supervisor that restarts the worker each time it dies, until the task is final.
    for (let i = 0; i < 6; i++) {
      // The worker may claim and die before it reports ready, so only its exit is awaited.
      const w = pool.start();
      const state = await Promise.race([w.exited.then(() => 'died' as const), final.then(() => 'final' as const)]);
      const started = w.messages.filter((m) => m.type === 'started').map((m) => m.attempt!);
      attempts.push(...started);
      if (state === 'final') break;
    }
    const done = await final;
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(done.status, TaskStatus.Failed);
    assert.equal(done.attempts, 3);
    assert.match(done.lastError ?? '', /^Lease lost: worker w\d+-\d+ stopped renewing its lease .* during attempt 3\.$/);
  });
});
