import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { countTasks } from '../helpers/rows.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

@Injectable()
class Echo {
  ran: string[] = [];
  @TaskHandler('echo')
  echo(payload: { label: string }) {
    this.ran.push(payload.label);
  }
}

// MariaDB's default collation is case- and accent-insensitive: with it the claim's
// `queue = ?` and `name IN (…)` matched names the runner cannot run, and unique keys that
// differ only in case or accents collided. Every database must match these values exactly.
eachDatabase('queue, task name and unique key match exactly', (kind) => {
  let t: TestApp;
  let echo: Echo;
  before(async () => {
    // allowUnknownTasks: the same app enqueues 'ECHO', which it has no handler for.
    t = await createTestApp({ kind, providers: [Echo], runner: { allowUnknownTasks: true } });
    echo = t.app.get(Echo);
  });
  after(() => t.close());

  it('a task named "ECHO" is not claimed by the "echo" handler: it stays pending with no attempt spent', async () => {
    const upper = await t.queue.enqueue('ECHO', { label: 'upper' });
    await t.queue.enqueue('echo', { label: 'lower' });
    const counts = await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    assert.deepEqual(echo.ran, ['lower']);
    const row = await t.queue.get(upper.id);
    assert.equal(row?.name, 'ECHO');
    assert.equal(row?.status, TaskStatus.Pending);
    assert.equal(row?.attempts, 0);
    assert.equal(row?.lockedBy, null);
    assert.equal(row?.lastError, null);
    assert.equal(row?.startedAt, null);
  });

  it('a task in queue "DEFAULT" is never claimed by a runner serving "default"', async () => {
    const shouted = await t.queue.enqueue('echo', { label: 'shouted' }, { queue: 'DEFAULT' });
    await t.queue.enqueue('echo', { label: 'served' });
    echo.ran = [];
    const counts = await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    assert.deepEqual(echo.ran, ['served']);
    const row = await t.queue.get(shouted.id);
    assert.equal(row?.queue, 'DEFAULT');
    assert.equal(row?.status, TaskStatus.Pending);
    assert.equal(row?.attempts, 0);
    assert.equal(row?.lockedBy, null);
    assert.equal(row?.lockedUntil, null);
  });

  it('unique keys that differ only in case or accents are distinct tasks', async () => {
    const before = await countTasks(t.orm);
    const keys = ['Key-A', 'key-a', 'KEY-A', 'café', 'cafe', 'CAFÉ', 'straße', 'strasse'];
    const tasks = [];
    for (const uniqueKey of keys) tasks.push(await t.queue.enqueue('echo', { label: uniqueKey }, { uniqueKey }));
    assert.equal(new Set(tasks.map((task) => task.id)).size, keys.length);
    assert.equal(await countTasks(t.orm), before + keys.length);
    for (const [i, task] of tasks.entries()) {
      const row = await t.queue.get<{ label: string }>(task.id);
      assert.equal(row?.uniqueKey, keys[i]);
      assert.deepEqual(row?.payload, { label: keys[i] });
    }
    // The same key again still finds its own task.
    const again = await t.queue.enqueue('echo', { label: 'again' }, { uniqueKey: 'key-a' });
    assert.equal(again.id, tasks[1]!.id);
    assert.deepEqual(again.payload, { label: 'key-a' });
  });
});

// A trailing space: SQLite and PostgreSQL compare it; MySQL/MariaDB's utf8mb4_bin (the
// default collation of the MySQL/MariaDB schemas) is PAD SPACE and ignores it, and MariaDB's
// utf8mb4_nopad_bin compares it.
const trailing = [
  { label: '', collation: undefined, distinct: (kind: string) => kind !== 'mariadb' },
  { label: ', utf8mb4_nopad_bin', collation: 'utf8mb4_nopad_bin', distinct: () => true },
];
for (const shape of trailing) eachDatabase(`unique keys with a trailing space${shape.label}`, (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Echo], collation: shape.collation });
  });
  afterEach(() => t.close());

  it(shape.distinct(kind) ? '"trail" and "trail " are distinct tasks' : '"trail" and "trail " are one task (PAD SPACE)', async () => {
    const plain = await t.queue.enqueue('echo', { label: 'plain' }, { uniqueKey: 'trail' });
    const spaced = await t.queue.enqueue('echo', { label: 'spaced' }, { uniqueKey: 'trail ' });
    if (shape.distinct(kind)) {
      assert.notEqual(spaced.id, plain.id);
      assert.equal(await countTasks(t.orm), 2);
      assert.equal((await t.queue.get(spaced.id))?.uniqueKey, 'trail ');
    } else {
      assert.equal(spaced.id, plain.id);
      assert.deepEqual(spaced.payload, { label: 'plain' });
      assert.equal(await countTasks(t.orm), 1);
    }
    assert.equal((await t.queue.get(plain.id))?.uniqueKey, 'trail');
  });
}, shape.collation ? ['mariadb'] : undefined);
