import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { Task, TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import type { Dialect } from '../../lib/dialects/dialect.js';
import { DIALECT } from '../../lib/dialects/dialect.provider.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

@Injectable()
class Mailer {
  sent = deferred<number>();
  @TaskHandler('send-welcome')
  send(_p: unknown, ctx: TaskContext) {
    this.sent.resolve(ctx.taskId);
  }
}

eachDatabase('transactional enqueue', (kind) => {
  let t: TestApp;
  before(async () => {
    // A poll far beyond the test's waits: only the wake after commit can start the task.
    t = await createTestApp({ kind, providers: [Mailer], runner: { pollIntervalMs: 600_000 } });
  });
  after(() => t.close());

  const count = () => t.orm.em.fork().count(Task, { name: 'send-welcome' });

  it('a rolled-back transaction leaves no task', async () => {
    await assert.rejects(
      t.orm.em.fork().transactional(async (em) => {
        const task = await t.queue.enqueue('send-welcome', { user: 1 }, { em });
        assert.equal(task.status, TaskStatus.Pending);
        throw new Error('signup failed');
      }),
      /signup failed/,
    );
    assert.equal(await count(), 0);
    await t.queue.enqueueMany([{ name: 'send-welcome' }], { em: t.orm.em.fork() }); // em outside a transaction: written at once
    assert.equal(await count(), 1);
    await t.runner.runUntilEmpty();
  });

  it('a committed transaction has the task, and the runner is woken after the commit', async () => {
    const mailer = t.app.get(Mailer);
    mailer.sent = deferred<number>();
    await t.runner.start();
    let id = 0;
    await t.orm.em.fork().transactional(async (em) => {
      id = (await t.queue.enqueue('send-welcome', { user: 2 }, { em })).id;
      const [batch] = await t.queue.enqueueMany([{ name: 'send-welcome', payload: { user: 3 } }], { em });
      assert.ok(batch!.id > id);
    });
    assert.equal(await count(), 3);
    const ran = await within(mailer.sent.promise, 10_000, 'the task enqueued in the committed transaction to run');
    await t.runner.stop();
    assert.ok(ran === id || ran === id + 1);
  });

  it('a task enqueued in a nested transaction is woken when the outer one commits, not when its savepoint is released', async () => {
    const mailer = t.app.get(Mailer);
    mailer.sent = deferred<number>();
    await t.runner.start();
    let id = 0;
    await t.orm.em.fork().transactional(async (outer) => {
      await outer.transactional(async (inner) => {
        id = (await t.queue.enqueue('send-welcome', { user: 4 }, { em: inner })).id;
      });
      // The savepoint is released here; the row becomes visible to the runner only at the outer commit.
      await outer.getConnection().execute('select 1', [], 'all', outer.getTransactionContext());
    });
    assert.equal(await within(mailer.sent.promise, 10_000, 'the task enqueued in the nested transaction to run'), id);
    await t.runner.stop();
  });

  it('a task enqueued in a savepoint is woken at its own outer commit, even when another transaction commits first', async (c) => {
    // SQLite has one connection: no other transaction can commit while this one is open.
    if (kind === 'sqlite') return c.skip('one connection');
    const mailer = t.app.get(Mailer);
    mailer.sent = deferred<number>();
    const dialect = t.app.get<Dialect>(DIALECT);
    const claim = dialect.claim.bind(dialect);
    let claimed = deferred();
    dialect.claim = async (req) => {
      const out = await claim(req);
      claimed.resolve();
      return out;
    };
    await t.runner.start();
    await t.runner.runUntilEmpty();
    let id = 0;
    await t.orm.em.fork().transactional(async (outer) => {
      await outer.transactional(async (inner) => {
        id = (await t.queue.enqueue('send-welcome', { user: 5 }, { em: inner })).id;
      });
      // Another request's transaction commits meanwhile, on its own connection.
      claimed = deferred();
      await t.orm.em.fork().transactional(async (other) => {
        await other.getConnection().execute('select 1', [], 'all', other.getTransactionContext());
      });
      // Had that commit woken the runner, its claim would have found nothing yet; give it the chance.
      await Promise.race([claimed.promise, new Promise((r) => setTimeout(r, 300))]);
      await outer.getConnection().execute('select 1', [], 'all', outer.getTransactionContext());
    });
    assert.equal(await within(mailer.sent.promise, 10_000, 'the task enqueued in the savepoint to run'), id);
    dialect.claim = claim;
    await t.runner.stop();
  });
});
