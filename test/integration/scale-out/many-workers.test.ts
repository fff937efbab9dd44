import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachDatabase } from '../../helpers/each-database.js';
import { executions, statusCounts } from '../../helpers/scale-db.js';
import { eventually } from '../../helpers/wait.js';
import { workerSuite } from '../../helpers/worker-suite.js';

const TASKS = 5000;
const WORKERS = 4;

// Without and with tasks claimed ahead: a prefetching process holds up to 100 leased tasks
// beside its running ones, and still no task may run twice or be left behind.
for (const prefetch of [0, 100]) eachDatabase(`many worker processes (prefetch ${prefetch})`, (kind) => {
  const suite = workerSuite(kind, { CONCURRENCY: '8', PREFETCH: String(prefetch), LEASE_MS: '10000', SWEEP_MS: '1000' });

  it(`${WORKERS} processes × concurrency 8 run ${TASKS} tasks exactly once each`, async () => {
    const workers = Array.from({ length: WORKERS }, () => suite.pool.start());
    await Promise.all(workers.map((w) => w.ready));
    const items = Array.from({ length: TASKS }, () => ({ name: 'record', payload: null }));
    const stored = await suite.t.queue.enqueueMany(items);
    assert.equal(new Set(stored.map((s) => s.id)).size, TASKS);
    await eventually(async () => (await statusCounts(suite.t)).succeeded === TASKS, 300_000, `${TASKS} succeeded tasks`, 250);
    assert.deepEqual(await statusCounts(suite.t), { succeeded: TASKS });
    const ex = await executions(suite.t);
    assert.equal(ex.total, TASKS);
    assert.equal(ex.distinct, TASKS);
    // Every process took part (the claim spreads work rather than one process taking all).
    assert.equal(ex.byWorker.size, WORKERS);
    await Promise.all(workers.map((w) => w.kill()));
  });
});
