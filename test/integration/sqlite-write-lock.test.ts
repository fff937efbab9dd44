import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { CronScheduler, TaskHandler } from '../../lib/index.js';
import { createTestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

interface Native {
  prepare(sql: string): { run(): unknown };
}

@Injectable()
class Hourly {
  @TaskHandler('hourly', { cron: '0 * * * *' })
  run() {}
}

describe('SQLite: another connection holding the write lock', () => {
  it('an idle runner (poll, lease sweep, retention) never blocks the event loop waiting for it', async () => {
    const t = await createTestApp({ kind: 'sqlite', runner: { pollIntervalMs: 20, sweepIntervalMs: 100, retention: { intervalMs: 100, succeededAfterMs: 0 } } });
    const other = await createTestApp({ kind: 'sqlite', db: t.db, createSchema: false });
    try {
      const native = (await other.orm.em.getConnection().getNativeClient()) as Native;
      await t.runner.start();
      // Another writer (another process, in production) holds the lock; the runner polls,
      // sweeps and prunes meanwhile. Its busy timeout is 5 s: a statement that waited for the
      // lock would stall this event loop for the whole hold.
      native.prepare('BEGIN IMMEDIATE').run();
      let maxGap = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 10);
      // The scenario is a lock held for a while: a second of it, then released.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      native.prepare('ROLLBACK').run();
      clearInterval(ticker);
      assert.ok(maxGap < 400, `the event loop stalled for ${Math.round(maxGap)} ms while the lock was held`);
      assert.equal(t.runner.status.state, 'running');
      await within(t.runner.stop(), 10_000, 'stop()');
    } finally {
      await other.app.close();
      await t.close();
    }
  });

  it('a cron slot another instance already took is skipped without waiting for the lock', async () => {
    const t = await createTestApp({ kind: 'sqlite', providers: [Hourly] });
    const other = await createTestApp({ kind: 'sqlite', db: t.db, createSchema: false, providers: [Hourly] });
    try {
      const slot = new Date('2026-01-05T10:00:00Z');
      assert.ok(await other.app.get(CronScheduler).enqueueSlot('hourly', slot), 'the other instance takes the slot');
      const native = (await other.orm.em.getConnection().getNativeClient()) as Native;
      native.prepare('BEGIN IMMEDIATE').run();
      try {
        // An INSERT here would wait the whole busy timeout (5 s) with the event loop blocked.
        const began = performance.now();
        assert.equal(await t.app.get(CronScheduler).enqueueSlot('hourly', slot), null);
        const took = performance.now() - began;
        assert.ok(took < 1000, `enqueueSlot took ${Math.round(took)} ms under another connection's write lock`);
      } finally {
        native.prepare('ROLLBACK').run();
      }
    } finally {
      await other.app.close();
      await t.close();
    }
  });
});
