import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TaskStatus } from '../../../lib/index.js';
import { eachDatabase } from '../../helpers/each-database.js';
import { eventually } from '../../helpers/wait.js';
import { workerSuite } from '../../helpers/worker-suite.js';

const LISTENER = 'nest-async-runner listener';

eachDatabase('LISTEN/NOTIFY wakes workers in other processes', (kind) => {
  // A poll of 10 minutes: only a notification can start these tasks within the waits below.
  const suite = workerSuite(kind, { CONCURRENCY: '2', POLL_MS: '600000', SWEEP_MS: '600000' });

  const listeners = async (): Promise<number[]> => {
    const rows = (await suite.t.orm.em.getConnection().execute('select pid from pg_stat_activity where datname = ? and application_name = ?', [suite.t.db.env.TEST_DB_NAME, LISTENER])) as { pid: number }[];
    return rows.map((r) => r.pid);
  };

  it('an enqueue in this process starts the task in an idle worker process; a lost LISTEN connection comes back', async () => {
    const w = suite.pool.start();
    await w.ready;
    const [pid] = await eventually(async () => ((await listeners()).length === 1 ? listeners() : undefined), 20_000, 'the worker to LISTEN');
    const first = await suite.t.queue.enqueue('hang-first', null);
    // Attempt 1 of hang-first hangs by design; what matters is that the worker started it.
    await w.next((m) => m.type === 'started' && m.taskId === first.id, 20_000, 'first task started');

    await suite.t.orm.em.getConnection().execute('select pg_terminate_backend(?)', [pid]);
    await eventually(async () => {
      const now = await listeners();
      return now.length === 1 && now[0] !== pid;
    }, 30_000, 'the LISTEN connection to be re-established');
    const second = await suite.t.queue.enqueue('hang-first', null);
    await w.next((m) => m.type === 'started' && m.taskId === second.id, 20_000, 'second task started');
    assert.equal(w.child.exitCode, null);
    assert.equal((await suite.t.queue.get(second.id))?.status, TaskStatus.Running);
    assert.equal((await listeners()).length, 1);
  });
}, ['postgres']);
