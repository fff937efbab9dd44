import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { after, before, describe, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { CronScheduler, InvalidOptionError, Task, TaskHandler, TaskStatus, type TaskContext } from '../../lib/index.js';
import type { Dialect } from '../../lib/dialects/dialect.js';
import { DIALECT } from '../../lib/dialects/dialect.provider.js';
import { nextSlots } from '../../lib/schedule/cron-slots.js';
import { startChild } from '../helpers/child-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { deferred, eventually, within } from '../helpers/wait.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const between = (cron: string, tz: string, from: string, to: string) =>
  nextSlots(cron, tz, new Date(new Date(from).getTime() - 1), 100).filter((d) => d < new Date(to));

describe('cron slots across daylight-saving changes (croner, Europe/Berlin)', () => {
  it('an hourly job skips the hour that does not exist in spring: 23 slots that local day, one hour apart', () => {
    const slots = between('0 * * * *', 'Europe/Berlin', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z');
    assert.equal(slots.length, 23);
    assert.deepEqual(iso(slots.slice(0, 3)), ['2026-03-28T23:00:00.000Z', '2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z']);
    assert.equal(new Set(iso(slots)).size, 23);
  });

  it('an hourly job runs both occurrences of the repeated hour in autumn: 25 distinct slots that local day', () => {
    const slots = between('0 * * * *', 'Europe/Berlin', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z');
    assert.equal(slots.length, 25);
    assert.deepEqual(iso(slots.slice(2, 4)), ['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z']); // 02:00 CEST, then 02:00 CET
    assert.equal(new Set(iso(slots)).size, 25);
  });

  it('a fixed-time job in the spring gap runs once right after it, and once (first occurrence) in autumn', () => {
    assert.deepEqual(iso(nextSlots('30 2 * * *', 'Europe/Berlin', new Date('2026-03-28T00:00:00Z'), 3)), [
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist; 03:00 CEST
      '2026-03-30T00:30:00.000Z',
    ]);
    assert.deepEqual(iso(nextSlots('30 2 * * *', 'Europe/Berlin', new Date('2026-10-24T00:00:00Z'), 3)), [
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // 02:30 CEST only, not again at 02:30 CET
      '2026-10-26T01:30:00.000Z',
    ]);
  });
});

@Injectable()
class Scheduled {
  payloads: unknown[] = [];
  @TaskHandler('hourly-berlin', { cron: '0 * * * *', timezone: 'Europe/Berlin' })
  hourly(payload: unknown) {
    this.payloads.push(payload);
  }

  @TaskHandler('plain')
  plain() {}
}

@Injectable()
class EverySecond {
  ran: number[] = [];
  @TaskHandler('every-second', { cron: '* * * * * *' })
  tick(_p: unknown, ctx: TaskContext) {
    this.ran.push(ctx.taskId);
  }
}

eachDatabase('recurring tasks', (kind) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ kind, providers: [Scheduled] });
  });
  after(() => t.close());

  it('each slot yields exactly one task across several processes, and never again after it ran', async () => {
    const slots = ['2026-01-05T00:00:00.000Z', '2026-01-05T01:00:00.000Z', '2026-01-05T02:00:00.000Z', '2026-01-05T03:00:00.000Z', '2026-01-05T04:00:00.000Z'];
    const children = await Promise.all([startChild(t.db, 'cron-slots'), startChild(t.db, 'cron-slots'), startChild(t.db, 'cron-slots')]);
    try {
      for (const c of children) c.send({ type: 'cron-slots', slots });
      const replies = await Promise.all(children.map((c) => c.next('results', 30_000)));
      const ids = replies.flatMap((r) => r.ids as (number | null)[]);
      assert.equal(ids.length, 15);
      assert.equal(ids.filter((id) => id !== null).length, 5);
      const rows = await t.orm.em.fork().find(Task, { name: 'hourly-berlin' }, { orderBy: { runAt: 'asc' } });
      assert.deepEqual(rows.map((r) => r.scheduleSlot), slots.map((s) => `hourly-berlin@${s}`));
      assert.deepEqual(rows.map((r) => r.runAt.toISOString()), slots);
    } finally {
      await Promise.all(children.map((c) => c.stop()));
    }
    assert.deepEqual(await t.runner.runUntilEmpty(), { succeeded: 5, failed: 0, retried: 0, cancelled: 0 });
    // Five due slots start together (up to `concurrency`), so compare as a set.
    const payloads = [...t.app.get(Scheduled).payloads].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    assert.deepEqual(payloads, slots.map((s) => ({ scheduledFor: s })));
    const scheduler = t.app.get(CronScheduler);
    assert.equal(await scheduler.enqueueSlot('hourly-berlin', new Date(slots[0]!)), null);
    assert.equal(await t.orm.em.fork().count(Task, { name: 'hourly-berlin' }), 5);
  });

  it('refuses slots that are not the schedule\'s and names without a schedule', async () => {
    const scheduler = t.app.get(CronScheduler);
    await assert.rejects(scheduler.enqueueSlot('hourly-berlin', new Date('2026-01-05T00:30:00Z')), (e: unknown) => {
      assert.ok(e instanceof InvalidOptionError);
      assert.equal(e.message, 'Invalid option "slot": expected a time matching "0 * * * *" in Europe/Berlin, received 2026-01-05T00:30:00.000Z.');
      return true;
    });
    await assert.rejects(scheduler.enqueueSlot('plain', new Date('2026-01-05T00:00:00Z')), /Invalid option "name": expected the name of a @TaskHandler with a cron option, received "plain"/);
  });

  it('two started instances on one database enqueue one task per second slot', async () => {
    const second = await createTestApp({ db: t.db, createSchema: false, providers: [EverySecond] });
    const first = await createTestApp({ db: t.db, createSchema: false, providers: [EverySecond] });
    try {
      await Promise.all([first.runner.start(), second.runner.start()]);
      const ran = () => first.app.get(EverySecond).ran.length + second.app.get(EverySecond).ran.length;
      await eventually(async () => ran() >= 3, 20_000, 'three cron slots to run');
      await Promise.all([first.runner.stop(), second.runner.stop()]);
      const rows = await t.orm.em.fork().find(Task, { name: 'every-second' }, { orderBy: { runAt: 'asc' } });
      assert.ok(rows.length >= 3);
      assert.equal(new Set(rows.map((r) => r.scheduleSlot)).size, rows.length);
      for (const r of rows) assert.equal(r.scheduleSlot, `every-second@${r.runAt.toISOString()}`);
      const ids = [...first.app.get(EverySecond).ran, ...second.app.get(EverySecond).ran];
      assert.equal(new Set(ids).size, ids.length, 'no slot ran twice');
      assert.equal(rows.filter((r) => r.status === TaskStatus.Succeeded).length, ids.length);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

/** Timers armed by the cron scheduler that have neither fired nor been cleared. */
function schedulerTimers(): { pending(): number; stop(): void } {
  const live = new Set<number>();
  const hook = createHook({
    init(id, type) {
      if (type === 'Timeout' && new Error().stack?.includes('cron-scheduler.js')) live.add(id);
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return { pending: () => live.size, stop: () => void hook.disable() };
}

eachDatabase('recurring tasks across a stop and a quick restart', (kind) => {
  it('one timer chain goes on: one insert per slot, and none pending or inserting after the final stop', async () => {
    const t = await createTestApp({ kind, providers: [EverySecond], runner: { retention: false } });
    const timers = schedulerTimers();
    try {
      const dialect = t.app.get<Dialect>(DIALECT);
      const insert = dialect.insertScheduled.bind(dialect);
      const perSlot = new Map<string, number>();
      const firstOut = deferred();
      const releaseFirst = deferred();
      const thirdSlot = deferred();
      let stopped = false;
      let afterStop = 0;
      let inFlight = 0;
      // A slow insert: the restart happens while the first fire waits for it.
      dialect.insertScheduled = async (task, slot) => {
        if (stopped) afterStop++;
        perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1);
        inFlight++;
        try {
          if (perSlot.size === 1) {
            firstOut.resolve();
            await releaseFirst.promise;
          }
          if (perSlot.size === 3) thirdSlot.resolve();
          return await insert(task, slot);
        } finally {
          inFlight--;
        }
      };
      await t.runner.start();
      await within(firstOut.promise, 5_000, 'the first cron fire');
      await t.runner.stop();
      await t.runner.start();
      releaseFirst.resolve();
      // Timers of two chains fire together for each slot: by the time the third slot is
      // inserted, a second chain would have inserted the second slot twice.
      await within(thirdSlot.promise, 5_000, 'two more slots');
      const [, second] = [...perSlot.values()];
      assert.equal(second, 1, `second slot inserted ${second} times`);
      // Stop between slots, with every fire done and its next timer armed, so that a second
      // chain would have a timer pending that stop() does not know of.
      await eventually(async () => inFlight === 0 && timers.pending() > 0, 5_000, 'the next slot to be armed');
      await t.runner.stop();
      stopped = true;
      // Destroy hooks run a turn after the clear.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(timers.pending(), 0);
      // No timer is left to fire, so nothing more can be inserted.
      assert.equal(afterStop, 0);
    } finally {
      timers.stop();
      await t.close();
    }
  });
});

describe('cron option validation', () => {
  for (const [label, options, message] of [
    ['a bad expression', { cron: 'every hour' }, 'Invalid option "@TaskHandler("bad").cron": expected a cron expression of 5 fields (or 6 with seconds first), received "every hour".'],
    ['an unknown time zone', { cron: '0 * * * *', timezone: 'Mars/Olympus' }, 'Invalid option "@TaskHandler("bad").timezone": expected an IANA time zone name such as "Europe/Berlin", received "Mars/Olympus".'],
    ['a time zone without cron', { timezone: 'UTC' }, 'Invalid option "@TaskHandler("bad").timezone": expected to be given only together with cron, received "UTC".'],
  ] as const) {
    it(`fails at startup on ${label}`, async () => {
      @Injectable()
      class Bad {
        @TaskHandler('bad', options)
        run() {}
      }
      const db = await createTestDatabase('sqlite');
      try {
        await assert.rejects(createTestApp({ db, providers: [Bad] }), (e: unknown) => {
          assert.ok(e instanceof InvalidOptionError);
          assert.equal(e.message, message);
          return true;
        });
      } finally {
        await db.drop();
      }
    });
  }
});
