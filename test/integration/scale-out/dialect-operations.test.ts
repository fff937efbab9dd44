import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MySqlDriver } from '@mikro-orm/mysql';
import { Task, TaskStatus } from '../../../lib/index.js';
import type { Dialect } from '../../../lib/dialects/dialect.js';
import { DIALECT } from '../../../lib/dialects/dialect.provider.js';
import { insertTasks } from '../../../lib/dialects/mysql/insert.js';
import { SqlExecutor } from '../../../lib/dialects/sql-executor.js';
import { quotedTables } from '../../../lib/dialects/tables.js';
import type { NewTask } from '../../../lib/dialects/task-row.js';
import { availableDatabases, type DbKind } from '../../helpers/databases.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../../helpers/test-app.js';
import { eventually } from '../../helpers/wait.js';

/** The same checks on every dialect, plus MySqlDriver (the no-RETURNING path) against MariaDB. */
const variants: { title: string; kind: DbKind; orm?: TestAppOptions['orm'] }[] = [];
for (const { kind, skip } of await availableDatabases()) {
  if (skip) continue;
  variants.push({ title: kind, kind });
  if (kind === 'mariadb') variants.push({ title: 'MySqlDriver on mariadb', kind, orm: { driver: MySqlDriver } as never });
}

for (const v of variants) {
  describe(`dialect operations [${v.title}]`, () => {
    let t: TestApp;
    let dialect: Dialect;
    before(async () => {
      t = await createTestApp({ kind: v.kind, orm: v.orm, runner: { allowUnknownTasks: true } });
      dialect = t.app.get(DIALECT);
    });
    after(() => t?.close());

    it('one open task per unique key, also under concurrent enqueues and within one batch', async () => {
      const same = await Promise.all(Array.from({ length: 5 }, () => t.queue.enqueue('x', { n: 1 }, { uniqueKey: 'k1' })));
      assert.equal(new Set(same.map((s) => s.id)).size, 1);
      const batch = await t.queue.enqueueMany([
        { name: 'x', options: { uniqueKey: 'k2' } },
        { name: 'x' },
        { name: 'x', options: { uniqueKey: 'k2' } },
        { name: 'x', options: { uniqueKey: 'k1' } },
        { name: 'x' },
      ]);
      assert.equal(batch[0]!.id, batch[2]!.id);
      assert.equal(batch[3]!.id, same[0]!.id);
      assert.equal(new Set(batch.map((b) => b.id)).size, 4);
      assert.deepEqual(batch.map((b) => b.uniqueKey ?? null), ['k2', null, 'k2', 'k1', null]);
      // Once the task is final the key is free again.
      const [claimed] = await dialect.claim({ workerId: 'A', queue: 'default', names: ['x'], limit: 100, leaseMs: 60_000 }).then((c) => c.filter((x) => x.id === same[0]!.id));
      assert.ok(claimed);
      assert.deepEqual(await dialect.finish('A', [{ kind: 'succeeded', id: claimed.id, attempt: claimed.attempts, result: null }]), { applied: [claimed.id], cancelled: [] });
      const again = await t.queue.enqueue('x', null, { uniqueKey: 'k1' });
      assert.notEqual(again.id, same[0]!.id);
      assert.equal(again.status, TaskStatus.Pending);
    });

    it('stores runAt to the millisecond, does not claim future tasks, and agrees with entity reads', async () => {
      const at = new Date(Date.now() + 3_600_000);
      at.setMilliseconds(123);
      const later = await t.queue.enqueue('later', null, { runAt: at });
      assert.equal(later.runAt.getTime(), at.getTime());
      assert.deepEqual(await dialect.claim({ workerId: 'A', queue: 'default', names: ['later'], limit: 10, leaseMs: 60_000 }), []);
      const now = await t.queue.enqueue('later', null);
      const entity = await t.orm.em.fork().findOneOrFail(Task, now.id);
      assert.equal(entity.runAt.getTime(), now.runAt.getTime());
      assert.equal(entity.createdAt.getTime(), now.createdAt.getTime());
      // The database clock and this host's clock are the same machine here: within a minute.
      assert.ok(Math.abs(now.createdAt.getTime() - Date.now()) < 60_000, `createdAt ${now.createdAt.toISOString()} is far from now`);
      const entityLater = await t.orm.em.fork().findOneOrFail(Task, later.id);
      assert.equal(entityLater.runAt.getTime(), at.getTime());
      const claimed = await dialect.claim({ workerId: 'A', queue: 'default', names: ['later'], limit: 10, leaseMs: 60_000 });
      assert.deepEqual(claimed.map((c) => c.id), [now.id]);
      const row = await t.queue.get(now.id);
      assert.equal(row?.lockedBy, 'A');
      assert.ok(row!.lockedUntil!.getTime() > row!.startedAt!.getTime() + 59_000);
      await dialect.finish('A', [{ kind: 'succeeded', id: now.id, attempt: claimed[0]!.attempts, result: '{"ok":true}' }]);
      assert.deepEqual((await t.queue.get(now.id))?.result, { ok: true });
    });

    it('fences writes on locked_by and takes back expired leases', async () => {
      const [a, b] = await t.queue.enqueueMany([{ name: 'fenced' }, { name: 'fenced', options: { maxAttempts: 1 } }]);
      const claimed = await dialect.claim({ workerId: 'A', queue: 'default', names: ['fenced'], limit: 10, leaseMs: 1 });
      assert.deepEqual(claimed.map((c) => c.id), [a!.id, b!.id]);
      assert.deepEqual(claimed.map((c) => c.attempts), [1, 1]);
      assert.deepEqual(await dialect.finish('B', [{ kind: 'succeeded', id: a!.id, attempt: 1, result: null }, { kind: 'failed', id: b!.id, attempt: 1, error: 'x' }]), { applied: [], cancelled: [] });
      assert.deepEqual(await dialect.renew('B', [a!.id, b!.id], 1), { held: [], cancelRequested: [] });
      const taken = await eventually(async () => (await dialect.reclaimExpired()) || undefined, 10_000, 'the expired leases to be taken back');
      assert.equal(taken, 2);
      const ra = await t.queue.get(a!.id);
      const rb = await t.queue.get(b!.id);
      assert.equal(ra?.status, TaskStatus.Pending);
      assert.equal(rb?.status, TaskStatus.Failed);
      const lost = 'Lease lost: worker A stopped renewing its lease (process died, froze or lost its database connection) during attempt 1.';
      assert.equal(ra?.lastError, lost);
      assert.equal(rb?.lastError, lost);
      assert.equal(ra?.lockedBy, null);
      // The old owner's late write no longer applies.
      assert.deepEqual(await dialect.finish('A', [{ kind: 'succeeded', id: a!.id, attempt: 1, result: null }]), { applied: [], cancelled: [] });
      assert.deepEqual(await dialect.renew('A', [a!.id], 60_000), { held: [], cancelRequested: [] });
      const reclaimed = await dialect.claim({ workerId: 'C', queue: 'default', names: ['fenced'], limit: 10, leaseMs: 60_000 });
      assert.deepEqual(reclaimed.map((c) => [c.id, c.attempts]), [[a!.id, 2]]);
      assert.deepEqual(await dialect.renew('C', [a!.id], 60_000), { held: [a!.id], cancelRequested: [] });
      assert.deepEqual(await dialect.finish('C', [{ kind: 'retry', id: a!.id, attempt: 2, error: 'again', delayMs: 3_600_000 }]), { applied: [a!.id], cancelled: [] });
      const retried = await t.queue.get(a!.id);
      assert.equal(retried?.status, TaskStatus.Pending);
      assert.ok(retried!.runAt.getTime() > Date.now() + 3_500_000);
    });

    it('fences writes on the attempt too: a worker that re-claims its own expired task refuses the old attempt\'s writes', async () => {
      // One process whose event loop stalled past its lease: the sweep took the task back and the
      // same worker (same id) claimed it again. The first attempt's late writes must not land.
      const [a, b] = await t.queue.enqueueMany([{ name: 'self' }, { name: 'self', options: { maxAttempts: 5 } }]);
      const first = await dialect.claim({ workerId: 'W', queue: 'default', names: ['self'], limit: 10, leaseMs: 1 });
      assert.deepEqual(first.map((c) => [c.id, c.attempts]), [[a!.id, 1], [b!.id, 1]]);
      await eventually(async () => ((await dialect.reclaimExpired()) === 2 ? true : undefined), 10_000, 'both expired leases to be taken back');
      const second = await dialect.claim({ workerId: 'W', queue: 'default', names: ['self'], limit: 10, leaseMs: 60_000 });
      assert.deepEqual(second.map((c) => [c.id, c.attempts]), [[a!.id, 2], [b!.id, 2]]);
      // Attempt 1's outcomes, progress and hand-back: none applies.
      assert.deepEqual(
        await dialect.finish('W', [
          { kind: 'succeeded', id: a!.id, attempt: 1, result: null },
          { kind: 'succeeded', id: b!.id, attempt: 1, result: '"late"' },
        ]),
        { applied: [], cancelled: [] },
      );
      await dialect.setProgress('W', { id: a!.id, attempt: 1 }, '"stale"');
      assert.equal(await dialect.release('W', [{ id: b!.id, attempt: 1 }], 'x'), 0);
      const mid = await t.queue.get(a!.id);
      assert.equal(mid?.status, TaskStatus.Running);
      assert.equal(mid?.progress, null);
      assert.equal((await t.queue.get(b!.id))?.status, TaskStatus.Running);
      // Attempt 2's own writes apply.
      await dialect.setProgress('W', { id: a!.id, attempt: 2 }, '{"step":2}');
      assert.deepEqual((await t.queue.get(a!.id))?.progress, { step: 2 });
      assert.deepEqual(await dialect.finish('W', [{ kind: 'succeeded', id: a!.id, attempt: 2, result: null }]), { applied: [a!.id], cancelled: [] });
      assert.equal(await dialect.release('W', [{ id: b!.id, attempt: 2 }], 'x'), 1);
      const [ra, rb] = [await t.queue.get(a!.id), await t.queue.get(b!.id)];
      assert.equal(ra?.status, TaskStatus.Succeeded);
      assert.equal(ra?.attempts, 2);
      assert.equal(rb?.status, TaskStatus.Pending);
      assert.equal(rb?.attempts, 1);
    });

    it('tells which retries it stored as cancelled (a cancel was requested meanwhile), in a batch and alone', async () => {
      const [a, b, c, d] = await t.queue.enqueueMany([0, 1, 2, 3].map(() => ({ name: 'turned' })));
      const claimed = await dialect.claim({ workerId: 'T', queue: 'default', names: ['turned'], limit: 10, leaseMs: 60_000 });
      assert.equal(claimed.length, 4);
      for (const x of [b, d]) assert.equal((await dialect.cancel(x!.id, 'stop it'))?.action, 'requested');
      const retry = (id: number) => ({ kind: 'retry' as const, id, attempt: 1, error: 'boom', delayMs: 0 });
      const batch = await dialect.finish('T', [{ kind: 'succeeded', id: a!.id, attempt: 1, result: null }, retry(b!.id), retry(c!.id)]);
      assert.deepEqual({ applied: [...batch.applied].sort((x, y) => x - y), cancelled: batch.cancelled }, { applied: [a!.id, b!.id, c!.id], cancelled: [b!.id] });
      assert.deepEqual(await dialect.finish('T', [retry(d!.id)]), { applied: [d!.id], cancelled: [d!.id] });
      const statuses = await Promise.all([a, b, c, d].map(async (x) => (await t.queue.get(x!.id))?.status));
      assert.deepEqual(statuses, [TaskStatus.Succeeded, TaskStatus.Cancelled, TaskStatus.Pending, TaskStatus.Cancelled]);
      assert.equal((await t.queue.get(b!.id))?.lastError, 'boom');
    });

    if (v.kind === 'mariadb') {
      it('inserts one row per statement when the server may interleave auto-increment ids (MySQL lock mode 2)', async () => {
        const task = (uniqueKey: string | null, n: number): NewTask => ({
          queue: 'default', name: 'lockmode2', payload: JSON.stringify({ n }), priority: 0, runAt: null, delayMs: 0, maxAttempts: 3, timeoutMs: null, uniqueKey,
        });
        const input = [task(null, 0), task('m2', 1), task(null, 2), task('m2', 3), task(null, 4)];
        const rows = await insertTasks(new SqlExecutor(t.orm), quotedTables('async_runner_', '`'), { returning: false, consecutive: false, step: 1 }, input);
        assert.deepEqual(rows.map((r) => JSON.parse(r.payload!).n), [0, 1, 2, 1, 4]);
        assert.equal(rows[1]!.id, rows[3]!.id);
        assert.equal(new Set(rows.map((r) => Number(r.id))).size, 4);
      });
    }
  });
}
