import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler, TaskStatus, type Task } from '../../lib/index.js';
import { insertTasks as pgInsert } from '../../lib/dialects/postgres/insert.js';
import { SqlExecutor } from '../../lib/dialects/sql-executor.js';
import { insertTasks as sqliteInsert } from '../../lib/dialects/sqlite/insert.js';
import { quotedTables } from '../../lib/dialects/tables.js';
import type { NewTask } from '../../lib/dialects/task-row.js';
import { rowToTask } from '../../lib/queue/row-to-task.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { within } from '../helpers/wait.js';

@Injectable()
class Fast {
  @TaskHandler('keyed')
  keyed() {}

  @TaskHandler('plain')
  plain() {}
}

const LOOPS = 4;
const CALLS = 300;

eachDatabase('uniqueKey while the open task finishes', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ kind, providers: [Fast], runner: { concurrency: 20, pollIntervalMs: 10 } });
  });
  afterEach(() => t.close());

  it('enqueueMany never fails because the task holding a key finished meanwhile, and stores each item once', async () => {
    await t.runner.start();
    // Each loop re-enqueues its key while the runner finishes that key's previous task: the
    // task an INSERT conflicts with often finishes before the call reads it back.
    const answers: Task[][] = [];
    const rejected: string[] = [];
    const loop = async (k: number) => {
      for (let i = 0; i < CALLS; i++) {
        try {
          answers.push(await t.queue.enqueueMany([
            { name: 'keyed', payload: { k, i }, options: { uniqueKey: `k${k}` } },
            { name: 'plain', payload: { k, i } },
          ]));
        } catch (error) {
          rejected.push(String(error));
        }
      }
    };
    await within(Promise.all(Array.from({ length: LOOPS }, (_, k) => loop(k))), 120_000, 'the enqueues');
    await t.runner.stop();
    assert.deepEqual(rejected.slice(0, 3), [], `${rejected.length} call(s) rejected`);
    assert.equal(answers.length, LOOPS * CALLS);

    const rows = (await t.orm.em.fork().getConnection().execute('select id, name, payload from async_runner_task')) as { id: unknown; name: string; payload: string }[];
    const payloads = (name: string) => rows.filter((r) => r.name === name).map((r) => r.payload);
    // One row per plain item, none twice.
    const plain = payloads('plain');
    assert.equal(plain.length, LOOPS * CALLS);
    assert.equal(new Set(plain).size, LOOPS * CALLS);
    // Every keyed row is the answer of some call (an item inserted twice would leave a row no call
    // returned), no keyed item was stored twice, and each call got the row stored for it.
    const keyed = payloads('keyed');
    assert.equal(new Set(keyed).size, keyed.length);
    const keyedIds = new Set(rows.filter((r) => r.name === 'keyed').map((r) => Number(r.id)));
    assert.deepEqual(new Set(answers.map((a) => a[0]!.id)), keyedIds);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    for (const [first, second] of answers) {
      assert.equal(first!.name, 'keyed');
      assert.equal(byId.get(second!.id)?.payload, JSON.stringify(second!.payload));
    }
  });
});

const newTask = (name: string, n: number, uniqueKey: string | null): NewTask => ({
  queue: 'default', name, payload: JSON.stringify({ n }), priority: 0, runAt: null, delayMs: 0, maxAttempts: 3, timeoutMs: null, uniqueKey,
});

// MySQL/MariaDB are not here: their upsert locks the open task until the statement's
// transaction ends and reads it back by id, so finishing meanwhile cannot hide it.
eachDatabase('uniqueKey released between the insert and its read-back', (kind) => {
  it('inserts the item again, once, instead of failing the call', async () => {
    const t = await createTestApp({ kind, providers: [Fast] });
    try {
      const open = await t.queue.enqueue('keyed', { n: 0 }, { uniqueKey: 'k' });
      const exec = new SqlExecutor(t.orm);
      const all = exec.all.bind(exec);
      const inserts: string[] = [];
      // Another process finishes the open task just after our INSERT skipped the item for it.
      exec.all = (async (sql: string, params?: readonly unknown[], ctx?: never) => {
        const rows = await all(sql, params, ctx);
        if (/^(WITH ins AS \()?INSERT/.test(sql) && inserts.push(sql) === 1) {
          await all(`UPDATE async_runner_task SET status = 'succeeded', unique_key = NULL WHERE id = ${open.id}`);
        }
        return rows;
      }) as SqlExecutor['all'];
      const input = [newTask('keyed', 1, 'k'), newTask('plain', 2, null)];
      const tables = quotedTables('async_runner_', '"');
      const stored = (kind === 'postgres' ? await pgInsert(exec, tables, 'async_runner_task', input) : await sqliteInsert(exec, tables, input)).map((r) => rowToTask(r));
      assert.equal(inserts.length, 2);
      assert.deepEqual(stored.map((s) => [s.name, s.payload, s.uniqueKey, s.status]), [
        ['keyed', { n: 1 }, 'k', TaskStatus.Pending],
        ['plain', { n: 2 }, null, TaskStatus.Pending],
      ]);
      assert.notEqual(stored[0]!.id, open.id);
      const rows = (await t.orm.em.fork().getConnection().execute('select id, name, payload, unique_key from async_runner_task order by id')) as { id: unknown; name: string; payload: string; unique_key: string | null }[];
      const expected: [number, string, string, string | null][] = [
        [open.id, 'keyed', '{"n":0}', null],
        [stored[0]!.id, 'keyed', '{"n":1}', 'k'],
        [stored[1]!.id, 'plain', '{"n":2}', null],
      ];
      assert.deepEqual(rows.map((r) => [Number(r.id), r.name, r.payload, r.unique_key]), expected.sort((a, b) => a[0] - b[0]));
    } finally {
      await t.close();
    }
  });

  it('a key given twice, whose new task finishes before the read-back, is still stored once', async () => {
    const t = await createTestApp({ kind, providers: [Fast] });
    try {
      const exec = new SqlExecutor(t.orm);
      const all = exec.all.bind(exec);
      let inserts = 0;
      // A worker finishes the task this very INSERT created, before the read-back by key.
      exec.all = (async (sql: string, params?: readonly unknown[], ctx?: never) => {
        const rows = await all(sql, params, ctx);
        if (/^(WITH ins AS \()?INSERT/.test(sql) && ++inserts === 1) {
          await all(`UPDATE async_runner_task SET status = 'succeeded', unique_key = NULL WHERE unique_key = 'k'`);
        }
        return rows;
      }) as SqlExecutor['all'];
      const input = [newTask('keyed', 1, 'k'), newTask('keyed', 2, 'k')];
      const tables = quotedTables('async_runner_', '"');
      const stored = kind === 'postgres' ? await pgInsert(exec, tables, 'async_runner_task', input) : await sqliteInsert(exec, tables, input);
      assert.equal(inserts, 1);
      const rows = (await t.orm.em.fork().getConnection().execute('select id, payload from async_runner_task order by id')) as { id: unknown; payload: string }[];
      assert.deepEqual(rows.map((r) => r.payload), ['{"n":1}']);
      assert.deepEqual(stored.map((s) => Number(s.id)), [Number(rows[0]!.id), Number(rows[0]!.id)]);
    } finally {
      await t.close();
    }
  });
}, ['sqlite', 'postgres']);
