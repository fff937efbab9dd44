import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { AsyncStop, TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { probeDialect } from '../helpers/dialect-probe.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, eventually, within } from '../helpers/wait.js';

@Injectable()
class Gate {
  started = deferred<number>();
  release = deferred();
  ran: number[] = [];
  @TaskHandler('gated')
  async gated(_payload: unknown, ctx: TaskContext) {
    this.started.resolve(ctx.taskId);
    await this.release.promise;
    this.ran.push(ctx.taskId);
    return 'finished';
  }

  @TaskHandler('quick')
  quick(_payload: unknown, ctx: TaskContext) {
    this.ran.push(ctx.taskId);
  }
}

eachDatabase('stop rows', (kind) => {
  let t: TestApp;
  let gate: Gate;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Gate], runner: { concurrency: 2, pollIntervalMs: 20 } });
    gate = t.app.get(Gate);
  });
  afterEach(async () => {
    gate.release.resolve();
    await t.close();
  });

  it('requestStop() stops a running runner: no new claims, the running handler finishes, state becomes stopped', async () => {
    await t.runner.start();
    const running = await t.queue.enqueue('gated');
    assert.equal(await within(gate.started.promise, 10_000, 'the gated handler'), running.id);
    await t.queue.requestStop('deploy');
    const stops = await t.orm.em.fork().find(AsyncStop, {});
    assert.equal(stops.length, 1);
    assert.equal(stops[0]?.scope, 'all');
    assert.equal(stops[0]?.reason, 'deploy');

    await eventually(async () => t.runner.status.state === 'stopping', 10_000, 'the runner to see the stop row');
    // Enqueued after the stop was seen: a free slot exists, yet it must not be claimed.
    const later = await t.queue.enqueue('quick');
    assert.equal(t.runner.status.inFlight, 1);
    gate.release.resolve();
    await eventually(async () => t.runner.status.state === 'stopped', 10_000, 'the runner to stop');

    const finished = await t.queue.get(running.id);
    assert.equal(finished?.status, TaskStatus.Succeeded);
    assert.equal(finished?.result, 'finished');
    const untouched = await t.queue.get(later.id);
    assert.equal(untouched?.status, TaskStatus.Pending);
    assert.equal(untouched?.attempts, 0);
    assert.deepEqual(gate.ran, [running.id]);
    assert.equal(t.runner.status.inFlight, 0);
  });

  it('a runner started after an existing stop row is not affected and drains the queue', async () => {
    await t.queue.requestStop('old');
    let stopChecks = 0;
    const enoughChecks = deferred();
    probeDialect(t.app, 'findStop', {
      onSettle: (_args, result) => {
        assert.equal(result, undefined, 'the old stop row must not match');
        if (++stopChecks === 3) enoughChecks.resolve();
      },
    });
    const ids = (await t.queue.enqueueMany(Array.from({ length: 5 }, () => ({ name: 'quick' })))).map((x) => x.id);
    await t.runner.start();
    await within(enoughChecks.promise, 10_000, 'three stop-row checks');
    await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.equal(t.runner.status.state, 'running');
    assert.deepEqual([...gate.ran].sort((a, b) => a - b), ids);
    for (const id of ids) assert.equal((await t.queue.get(id))?.status, TaskStatus.Succeeded);
  });

  it('a stop row written while a runner is stopped does not block its next start', async () => {
    await t.queue.enqueue('quick');
    await within(t.runner.runUntilEmpty(), 10_000, 'first run');
    await t.queue.requestStop();
    await t.queue.enqueue('quick');
    assert.deepEqual(await within(t.runner.runUntilEmpty(), 10_000, 'second run'), { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(gate.ran.length, 2);
  });

  it('a stop row scoped to another queue or worker leaves this runner running', async () => {
    await t.runner.start();
    await t.queue.requestStop('other queue', 'queue:reports');
    await t.queue.requestStop('other worker', 'worker:someone-else');
    let checks = 0;
    const seen = deferred();
    probeDialect(t.app, 'findStop', { onSettle: () => void (++checks === 2 && seen.resolve()) });
    await within(seen.promise, 10_000, 'two stop-row checks');
    assert.equal(t.runner.status.state, 'running');
    await t.queue.requestStop('this worker', `worker:${t.runner.status.workerId}`);
    await eventually(async () => t.runner.status.state === 'stopped', 10_000, 'the runner to obey its worker-scoped stop row');
  });

  it('runUntilEmpty returns when a stop row stops the runner, though due tasks remain', async () => {
    const first = await t.queue.enqueue('gated');
    const run = t.runner.runUntilEmpty();
    assert.equal(await within(gate.started.promise, 10_000, 'the gated handler'), first.id);
    await t.queue.requestStop();
    await eventually(async () => t.runner.status.state === 'stopping', 10_000, 'the runner to see the stop row');
    const rest = await t.queue.enqueueMany([{ name: 'quick' }, { name: 'quick' }]);
    gate.release.resolve();
    assert.deepEqual(await within(run, 10_000, 'runUntilEmpty'), { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    assert.equal(t.runner.status.state, 'stopped');
    assert.deepEqual(gate.ran, [first.id]);
    for (const r of rest) assert.equal((await t.queue.get(r.id))?.status, TaskStatus.Pending);
  });
});
