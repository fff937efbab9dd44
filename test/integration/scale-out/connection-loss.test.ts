import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachDatabase } from '../../helpers/each-database.js';
import { executions, statusCounts } from '../../helpers/scale-db.js';
import { eventually } from '../../helpers/wait.js';
import type { TestApp } from '../../helpers/test-app.js';
import { workerSuite } from '../../helpers/worker-suite.js';

/** Ends, on the server, every connection to the test database except the caller's own. */
async function terminateConnections(t: TestApp): Promise<number> {
  const conn = t.orm.em.getConnection();
  const dbName = t.db.env.TEST_DB_NAME!;
  if (t.db.kind === 'postgres') {
    const rows = (await conn.execute('select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = ? and pid <> pg_backend_pid()', [dbName])) as { ok: boolean }[];
    return rows.filter((r) => r.ok).length;
  }
  return conn.transactional(async (ctx) => {
    // One connection for the lookup and the KILLs, so the caller's own is known and spared.
    const c = conn;
    const ids = (await c.execute('select id from information_schema.processlist where db = ? and id <> connection_id()', [dbName], 'all', ctx)) as { id: number }[];
    for (const { id } of ids) await c.execute(`kill ${Number(id)}`, [], 'run', ctx);
    return ids.length;
  });
}

eachDatabase('server ends the workers\' connections during a run', (kind) => {
  const suite = workerSuite(kind, { CONCURRENCY: '4', LEASE_MS: '1500', SWEEP_MS: '300' });

  it('workers reconnect, running tasks end succeeded, and new tasks complete', async (ctx) => {
    const workers = [suite.pool.start(), suite.pool.start()];
    await Promise.all(workers.map((w) => w.ready));
    await suite.t.queue.enqueueMany(Array.from({ length: 300 }, () => ({ name: 'record', payload: { sleepMs: 20 } })));
    await eventually(async () => ((await statusCounts(suite.t)).succeeded ?? 0) >= 60, 60_000, '60 succeeded before the cut', 20);
    const first = await terminateConnections(suite.t);
    await eventually(async () => ((await statusCounts(suite.t)).succeeded ?? 0) >= 120, 60_000, '120 succeeded between the cuts', 20);
    const second = await terminateConnections(suite.t);
    ctx.diagnostic(`terminated ${first} then ${second} connection(s)`);
    assert.ok(first >= 2 && second >= 2, `expected the workers' connections to be ended, got ${first} and ${second}`);
    await eventually(async () => (await statusCounts(suite.t)).succeeded === 300, 120_000, 'all 300 succeeded', 100);
    const fresh = await suite.t.queue.enqueueMany(Array.from({ length: 5 }, () => ({ name: 'record', payload: null })));
    await eventually(async () => (await statusCounts(suite.t)).succeeded === 305, 60_000, '5 new tasks succeeded', 50);
    assert.deepEqual(await statusCounts(suite.t), { succeeded: 305 });
    const ex = await executions(suite.t);
    assert.equal(ex.distinct, 305);
    for (const f of fresh) assert.equal((await suite.t.queue.get(f.id))?.attempts, 1);
    for (const w of workers) assert.equal(w.child.exitCode, null, `worker ${w.id} must survive the connection loss`);
  });
}, ['postgres', 'mariadb']);
