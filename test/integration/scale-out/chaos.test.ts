import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachDatabase } from '../../helpers/each-database.js';
import { executions, runningUnder, statusCounts } from '../../helpers/scale-db.js';
import { eventually } from '../../helpers/wait.js';
import { type WorkerProcess } from '../../helpers/workers.js';
import { workerSuite } from '../../helpers/worker-suite.js';

const TASKS = 2000;

// With prefetch, a killed worker also held tasks it had claimed ahead and not started; they
// count as in flight (leased to it) and must come back through the sweep like running ones.
for (const prefetch of [0, 50]) eachDatabase(`chaos: workers killed and restarted during a run (prefetch ${prefetch})`, (kind) => {
  const suite = workerSuite(kind, { CONCURRENCY: '8', PREFETCH: String(prefetch), LEASE_MS: '3000', SWEEP_MS: '300' });

  it(`${TASKS} tasks all succeed; duplicates are at most the tasks in flight at the kills`, async (ctx) => {
    let workers: WorkerProcess[] = Array.from({ length: 3 }, () => suite.pool.start());
    await Promise.all(workers.map((w) => w.ready));
    const payloads = Array.from({ length: TASKS }, (_, i) => ({ name: 'record', payload: { sleepMs: 5 + (i % 20) } }));
    await suite.t.queue.enqueueMany(payloads);
    let inFlightAtKills = 0;
    const kills: string[] = [];
    // Kill at progress milestones (events in the database), not at wall-clock times.
    for (const milestone of [200, 600, 1000, 1400]) {
      await eventually(async () => ((await statusCounts(suite.t)).succeeded ?? 0) >= milestone, 120_000, `${milestone} succeeded`, 20);
      const victim = workers[Math.floor(Math.random() * workers.length)]!;
      await victim.kill();
      // After the kill nothing changes its rows until its leases expire (3 s), so this counts
      // exactly the tasks it had claimed and not finished writing.
      inFlightAtKills += await runningUnder(suite.t, victim.id);
      kills.push(victim.id);
      const replacement = suite.pool.start();
      workers = [...workers.filter((w) => w !== victim), replacement];
      await replacement.ready;
    }
    await eventually(async () => (await statusCounts(suite.t)).succeeded === TASKS, 300_000, `${TASKS} succeeded`, 250);
    assert.deepEqual(await statusCounts(suite.t), { succeeded: TASKS });
    const ex = await executions(suite.t);
    assert.equal(ex.distinct, TASKS);
    const duplicates = ex.total - ex.distinct;
    ctx.diagnostic(`${duplicates} duplicate execution(s); ${inFlightAtKills} task(s) in flight at the kills`);
    assert.ok(duplicates <= inFlightAtKills, `${duplicates} duplicate executions but only ${inFlightAtKills} tasks were in flight at the kills (${kills.join(', ')})`);
    assert.equal(kills.length, 4);
  });
});
