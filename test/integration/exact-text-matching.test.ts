import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, it } from 'node:test';
import { MikroORM } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus } from '../../lib/index.js';
import { runnerEntities } from '../helpers/databases.js';
import { eachDatabase } from '../helpers/each-database.js';
import { captureLogs } from '../helpers/log-capture.js';
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

// Tables created before the binary collations keep the server's case-insensitive one until the
// schema is updated: the runner says so at startup, and a task it claims but has no handler
// for fails once its attempts are spent instead of being claimed again every poll.
eachDatabase('a MariaDB table still on the server\'s case-insensitive collation', (kind) => {
  let first: TestApp;
  let t: TestApp;
  const logs = captureLogs();
  before(async () => {
    first = await createTestApp({ kind, collation: null });
    // Booted on the tables as they are, as an app upgraded to this version does.
    t = await createTestApp({ kind, db: first.db, createSchema: false, providers: [Echo], collation: null, logger: logs, runner: { allowUnknownTasks: true } });
  });
  after(async () => {
    await t.close();
    await first.close();
  });

  it('the runner warns at startup, naming the columns and the fix', () => {
    const [warning] = logs.find('warn', 'do not compare text exactly');
    assert.ok(warning, `no collation warning in: ${JSON.stringify(logs.lines)}`);
    for (const column of ['async_runner_task.queue', 'async_runner_task.name', 'async_runner_task.unique_key', 'async_runner_stop.scope']) {
      assert.match(warning.message, new RegExp(`${column.replace('.', '\\.')} \\(utf8mb4_\\w+_ci\\)`));
    }
    assert.match(warning.message, /Update the schema \(orm\.schema\.update\(\) or a migration\)/);
  });

  it('a task named "ECHO", claimed for "echo", fails after its attempts with the reason', async () => {
    const upper = await t.queue.enqueue('ECHO', {}, { maxAttempts: 2 });
    const counts = await within(t.runner.runUntilEmpty(), 10_000, 'runUntilEmpty');
    assert.deepEqual(counts, { succeeded: 0, failed: 1, retried: 1, cancelled: 0 });
    const row = await t.queue.get(upper.id);
    assert.equal(row?.status, TaskStatus.Failed);
    assert.equal(row?.attempts, 2);
    assert.equal(row?.lastError, 'No handler for "ECHO" in this process.');
    assert.deepEqual(t.app.get(Echo).ran, []);
  });

  it('a schema update gives the columns the binary collation: the next boot does not warn and "ECHO" stays pending', async () => {
    const orm = await MikroORM.init({ ...first.db.orm, entities: runnerEntities(kind), allowGlobalContext: true } as never);
    try {
      await orm.schema.update();
      assert.equal(await orm.schema.getUpdateSchemaSQL(), '');
    } finally {
      await orm.close(true);
    }
    const bootLogs = captureLogs();
    const updated = await createTestApp({ kind, db: first.db, createSchema: false, providers: [Echo], logger: bootLogs, runner: { allowUnknownTasks: true } });
    try {
      assert.deepEqual(bootLogs.find('warn', 'do not compare text exactly'), []);
      const upper = await updated.queue.enqueue('ECHO', {});
      assert.deepEqual(await within(updated.runner.runUntilEmpty(), 10_000, 'runUntilEmpty'), { succeeded: 0, failed: 0, retried: 0, cancelled: 0 });
      const row = await updated.queue.get(upper.id);
      assert.equal(row?.status, TaskStatus.Pending);
      assert.equal(row?.attempts, 0);
    } finally {
      await updated.close();
    }
  });
}, ['mariadb']);
