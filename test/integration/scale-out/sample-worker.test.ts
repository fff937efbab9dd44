import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { TaskStatus } from '../../../lib/index.js';
import { createTestApp, type TestApp } from '../../helpers/test-app.js';
import { deferred, eventually, within } from '../../helpers/wait.js';

const WORKER = fileURLToPath(new URL('../../../sample-app/src/worker.js', import.meta.url));

let t: TestApp;
let child: ChildProcess | undefined;
before(async () => {
  t = await createTestApp({ kind: 'sqlite', runner: { allowUnknownTasks: true } });
});
after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await t?.close();
});

it('the sample worker serves its queue from the environment and finishes running tasks on SIGTERM', async () => {
  child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, DB_KIND: 'sqlite', DB_NAME: t.db.env.TEST_DB_NAME, QUEUES: 'default', CONCURRENCY: '2', POLL_INTERVAL_MS: '50' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const serving = deferred();
  const stopped = deferred();
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('serving default')) serving.resolve();
    if (/Runner \S+ stopped/.test(out)) stopped.resolve();
  });
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<string | number | null>((resolve) => child!.once('exit', (code, signal) => resolve(signal ?? code)));
  await within(Promise.race([serving.promise, exited.then(() => Promise.reject(new Error(`worker exited early: ${out}`)))]), 60_000, 'the worker to start');
  const task = await t.queue.enqueue('sample.sleep', { ms: 1500 });
  await eventually(async () => (await t.queue.get(task.id))?.status === TaskStatus.Running, 20_000, 'the task to start');
  child.kill('SIGTERM');
  await within(stopped.promise, 20_000, 'the runner to stop');
  await within(exited, 20_000, 'the worker to exit');
  const done = await t.queue.get(task.id);
  assert.equal(done?.status, TaskStatus.Succeeded);
  assert.equal(done?.attempts, 1);
  assert.equal((done?.result as { attempt: number }).attempt, 1);
});
