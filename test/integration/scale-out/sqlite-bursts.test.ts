import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachDatabase } from '../../helpers/each-database.js';
import { executions, statusCounts } from '../../helpers/scale-db.js';
import { eventually } from '../../helpers/wait.js';
import { workerSuite } from '../../helpers/worker-suite.js';

const BURSTS = 10;
const PER_BURST = 20;

eachDatabase('concurrent enqueue bursts while worker processes run on one SQLite file', () => {
  const suite = workerSuite('sqlite', { CONCURRENCY: '8', LEASE_MS: '10000', SWEEP_MS: '1000', POLL_MS: '20' }, (t) => t.orm.em.getConnection().execute('create table app_writes (id integer primary key autoincrement, burst integer not null)').then(() => undefined));

  it('every enqueue resolves, no busy error surfaces, every task runs once', async () => {
    const workers = [suite.pool.start(), suite.pool.start()];
    await Promise.all(workers.map((w) => w.ready));
    const ids: number[] = [];
    for (let burst = 0; burst < BURSTS; burst++) {
      // The app's own writes go on beside the enqueues, on the same file.
      const appWrite = suite.t.orm.em.getConnection().execute('insert into app_writes (burst) values (?)', [burst]);
      const tasks = await Promise.all(Array.from({ length: PER_BURST }, (_, i) => suite.t.queue.enqueue('record', { sleepMs: i % 5 })));
      await appWrite;
      ids.push(...tasks.map((task) => task.id));
    }
    assert.equal(new Set(ids).size, BURSTS * PER_BURST);
    await eventually(async () => (await statusCounts(suite.t)).succeeded === BURSTS * PER_BURST, 120_000, 'all tasks succeeded', 50);
    assert.deepEqual(await statusCounts(suite.t), { succeeded: BURSTS * PER_BURST });
    const ex = await executions(suite.t);
    assert.equal(ex.total, BURSTS * PER_BURST);
    assert.equal(ex.distinct, BURSTS * PER_BURST);
    // No handler attempt failed on a locked file either: each ran exactly once.
    const [row] = (await suite.t.orm.em.getConnection().execute('select max(attempts) as a, min(attempts) as b from async_runner_task')) as { a: number; b: number }[];
    assert.deepEqual([row!.a, row!.b], [1, 1]);
    const [writes] = (await suite.t.orm.em.getConnection().execute('select count(*) as n from app_writes')) as { n: number }[];
    assert.equal(Number(writes!.n), BURSTS);
  });
}, ['sqlite']);
