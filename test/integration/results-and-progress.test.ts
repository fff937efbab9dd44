import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { InvalidPayloadError, Task, TaskHandler, TaskNotFoundError, TaskStatus, WaitTimeoutError, type TaskContext } from '../../lib/index.js';
import { startChild } from '../helpers/child-worker.js';
import { probeDialect } from '../helpers/dialect-probe.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

@Injectable()
class Workers {
  progressed = deferred();
  finish = deferred();
  @TaskHandler('resize')
  async resize(payload: { w: number }, ctx: TaskContext) {
    await ctx.progress({ step: 1, of: 2 });
    this.progressed.resolve();
    await this.finish.promise;
    return { width: payload.w, url: `/img/${ctx.taskId}.png` };
  }

  @TaskHandler('bad-progress', { maxAttempts: 1 })
  async badProgress(_p: unknown, ctx: TaskContext) {
    await ctx.progress({ when: () => 1 });
  }
}

@Injectable()
class SlowWorker {
  started = deferred();
  release = deferred();
  @TaskHandler('slow')
  async slow() {
    this.started.resolve();
    await this.release.promise;
  }
}

eachDatabase('results, waitFor and progress', (kind) => {
  let t: TestApp;
  let w: Workers;
  before(async () => {
    t = await createTestApp({ kind, providers: [Workers], runner: { pollIntervalMs: 100 } });
    w = t.app.get(Workers);
  });
  after(async () => {
    w.finish.resolve();
    await t.close();
  });

  it('stores progress readable through get(), then the result, and waitFor resolves with it', async () => {
    await t.runner.start();
    const task = await t.queue.enqueue('resize', { w: 640 });
    const waiting = t.queue.waitFor<{ w: number }, { width: number; url: string }>(task.id, { timeoutMs: 10_000 });
    await within(w.progressed.promise, 10_000, 'progress write');
    const mid = await t.queue.get(task.id);
    assert.equal(mid?.status, TaskStatus.Running);
    assert.deepEqual(mid?.progress, { step: 1, of: 2 });
    w.finish.resolve();
    const done = await waiting;
    await t.runner.stop();
    assert.equal(done.status, TaskStatus.Succeeded);
    assert.deepEqual(done.result, { width: 640, url: `/img/${task.id}.png` });
    assert.deepEqual(done.progress, { step: 1, of: 2 });
    assert.ok(done.finishedAt instanceof Date);
  });

  it('a progress value that is not JSON fails the attempt with InvalidPayloadError', async () => {
    const task = await t.queue.enqueue('bad-progress');
    await t.runner.runUntilEmpty();
    const done = await t.queue.waitFor(task.id, { timeoutMs: 1000 });
    assert.equal(done.status, TaskStatus.Failed);
    assert.match(done.lastError ?? '', /^InvalidPayloadError: .*\$\.when.*functions cannot be stored/);
    assert.equal(done.progress, null);
    void InvalidPayloadError;
  });

  it('waitFor rejects with WaitTimeoutError naming the status, and TaskNotFoundError for unknown ids', async () => {
    const task = await t.queue.enqueue('resize', { w: 1 }, { delayMs: 3_600_000 });
    await assert.rejects(t.queue.waitFor(task.id, { timeoutMs: 50 }), (e: unknown) => {
      assert.ok(e instanceof WaitTimeoutError);
      assert.equal(e.message, `Task ${task.id} did not finish within 50 ms (it is pending).`);
      return true;
    });
    await assert.rejects(t.queue.waitFor(987_654, { timeoutMs: 1000 }), TaskNotFoundError);
    await assert.rejects(t.queue.waitFor(task.id, { timeoutMs: 0 }), /Invalid option "timeoutMs": expected an integer from 1 to 2147483647, received 0/);
    await assert.rejects(t.queue.waitFor(task.id, { timeout: 5 } as never), /Invalid option "timeout"/);
    const cancelled = t.queue.waitFor(task.id, { timeoutMs: 10_000 });
    await t.queue.cancel(task.id);
    assert.equal((await cancelled).status, TaskStatus.Cancelled);
  });

  it('waitFor\'s timeout names the status the task has then, not the one read when the wait began', async () => {
    // No polls while pending (pollIntervalMs), so only waitFor's first read and its timeout read the row.
    const slow = await createTestApp({ kind, providers: [SlowWorker], runner: { pollIntervalMs: 60_000 } });
    const s = slow.app.get(SlowWorker);
    try {
      const task = await slow.queue.enqueue('slow');
      const firstRead = deferred<unknown>();
      const unprobe = probeDialect(slow.app, 'getRow', { onSettle: (_args, row) => firstRead.resolve((row as { status?: string })?.status) });
      const waitStarted = Date.now();
      const waiting = slow.queue.waitFor(task.id, { timeoutMs: 1500 });
      assert.equal(await within(firstRead.promise, 5_000, 'waitFor\'s first read'), 'pending');
      unprobe();
      await slow.runner.start();
      await within(s.started.promise, 5_000, 'the slow handler to start');
      assert.ok(Date.now() - waitStarted < 1500, 'precondition: the handler started before the wait timed out');
      await assert.rejects(waiting, (e: unknown) => {
        assert.ok(e instanceof WaitTimeoutError, String(e));
        assert.equal(e.lastStatus, TaskStatus.Running);
        assert.equal(e.message, `Task ${task.id} did not finish within 1500 ms (it is running).`);
        return true;
      });
    } finally {
      s.release.resolve();
      await slow.close();
    }
  });

  it('waits for a task run by another process by re-reading the row', async () => {
    const producer = await createTestApp({ db: t.db, createSchema: false, runner: { allowUnknownTasks: true, pollIntervalMs: 50 } });
    const child = await startChild(t.db, 'runner');
    try {
      const task = await producer.queue.enqueue('child-echo', { hello: 'world' });
      const done = await producer.queue.waitFor<unknown, { echoed: unknown; pid: number }>(task.id, { timeoutMs: 15_000 });
      assert.equal(done.status, TaskStatus.Succeeded);
      assert.deepEqual(done.result, { echoed: { hello: 'world' }, pid: child.pid });
    } finally {
      await child.stop();
      await producer.close();
    }
  });
});

eachDatabase('enqueueMany', (kind) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ kind, providers: [Workers] });
  });
  after(() => t.close());

  it('validates every item before writing any', async () => {
    await assert.rejects(
      t.queue.enqueueMany([{ name: 'resize', payload: { w: 1 } }, { name: 'resize', payload: { w: 2 } }, { name: 'resize', payload: { w: 10n } }]),
      (e: unknown) => {
        assert.ok(e instanceof InvalidPayloadError);
        assert.equal(e.message, 'enqueueMany item 2: Task payload is not plain JSON at $.w: BigInt has no JSON form; send it as a string');
        return true;
      },
    );
    await assert.rejects(t.queue.enqueueMany([{ name: 'resize' }, { name: 'nope' }]), /^UnknownTaskError: enqueueMany item 1: No @TaskHandler is registered for task "nope"/);
    assert.equal(await t.orm.em.fork().count(Task, {}), 0);
  });

  it('writes large batches in order, every item once', async () => {
    const items = Array.from({ length: 2500 }, (_, i) => ({ name: 'resize', payload: { w: i }, options: { delayMs: 3_600_000 } }));
    const tasks = await t.queue.enqueueMany(items);
    assert.equal(tasks.length, 2500);
    assert.deepEqual(tasks.map((x) => (x.payload as { w: number }).w), items.map((i) => i.payload.w));
    assert.equal(new Set(tasks.map((x) => x.id)).size, 2500);
    assert.equal(await t.orm.em.fork().count(Task, { status: TaskStatus.Pending }), 2500);
  });
});
