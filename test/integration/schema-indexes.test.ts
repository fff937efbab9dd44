import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { MikroORM } from '@mikro-orm/core';
// @ts-expect-error pg ships no types here; the test only runs queries and reads rows.
import pg from 'pg';
import { ASYNC_RUNNER_ENTITIES, AsyncRunnerModule, ConfigMismatchError, InvalidOptionError, asyncRunnerEntities } from '../../lib/index.js';
import { createTestDatabase, runnerEntities, type TestDatabase } from '../helpers/databases.js';
import { eachDatabase } from '../helpers/each-database.js';
import { startupError } from '../helpers/startup-error.js';

const T = 'async_runner_task';

// What the runner's statements ask of the table, as each database plans them.
const CLAIM = `SELECT id FROM ${T} WHERE status = 'pending' AND queue = 'default' AND run_at <= 1 AND name IN ('a', 'b') ORDER BY priority DESC, run_at, id LIMIT 10`;
const SWEEP = `SELECT id FROM ${T} WHERE status = 'running' AND locked_until < 1 ORDER BY id`;
const RETENTION = `SELECT id FROM ${T} WHERE status = 'succeeded' AND finished_at < 1 ORDER BY finished_at LIMIT 10`;

eachDatabase('schema and indexes', (kind) => {
  let db: TestDatabase;
  let orm: MikroORM;

  before(async () => {
    db = await createTestDatabase(kind);
    orm = await MikroORM.init({ ...db.orm, entities: runnerEntities(kind), allowGlobalContext: true } as never);
    await orm.schema.create();
  });
  after(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  // That a schema update right after create changes nothing is checked by schema-diff.test.ts.

  if (kind === 'sqlite') {
    it('indexes only the rows each query reads, and the claim, sweep and retention read them off those indexes', async () => {
      const conn = orm.em.getConnection();
      const rows = (await conn.execute(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = '${T}' ORDER BY name`)) as { name: string; sql: string }[];
      const where = Object.fromEntries(rows.map((r) => [r.name, /where (.*)$/i.exec(r.sql)?.[1]]));
      assert.deepEqual(where, {
        async_runner_task_claim_idx: "status = 'pending'",
        async_runner_task_finished_idx: 'finished_at IS NOT NULL',
        async_runner_task_running_idx: "status = 'running'",
        async_runner_task_schedule_slot: 'schedule_slot IS NOT NULL',
        async_runner_task_unique_key: 'unique_key IS NOT NULL',
      });
      const plan = async (sql: string) => ((await conn.execute(`EXPLAIN QUERY PLAN ${sql}`)) as { detail: string }[]).map((r) => r.detail).join(' | ');
      const claim = await plan(CLAIM);
      assert.match(claim, /USING INDEX async_runner_task_claim_idx \(queue=\?/);
      assert.doesNotMatch(claim, /TEMP B-TREE/, `the claim must read the index in order: ${claim}`);
      assert.match(await plan(SWEEP), /USING (COVERING )?INDEX async_runner_task_running_idx/);
      assert.match(await plan(RETENTION), /USING (COVERING )?INDEX async_runner_task_finished_idx \(status=\? AND finished_at<\?\)/);
    });
  }

  if (kind === 'postgres') {
    it('indexes only the rows each query reads, and the claim, sweep and retention can use those indexes', async () => {
      const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: String(db.orm.dbName) });
      await client.connect();
      try {
        const { rows }: { rows: { indexname: string; indexdef: string }[] } = await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`, [T]);
        const where = Object.fromEntries(rows.map((r) => [r.indexname, / WHERE (.*)$/.exec(r.indexdef)?.[1]]));
        assert.deepEqual(where, {
          async_runner_task_claim_idx: "((status)::text = 'pending'::text)",
          async_runner_task_finished_idx: '(finished_at IS NOT NULL)',
          async_runner_task_pkey: undefined,
          async_runner_task_running_idx: "((status)::text = 'running'::text)",
          async_runner_task_schedule_slot: '(schedule_slot IS NOT NULL)',
          async_runner_task_unique_key: '(unique_key IS NOT NULL)',
        });
        // An empty table is always scanned sequentially; with that ruled out the planner
        // shows which index it can use for each query.
        await client.query('SET enable_seqscan = off');
        const plan = async (sql: string) => ((await client.query(`EXPLAIN ${sql.replace('run_at <= 1', 'run_at <= now()').replace(/< 1/g, '< now()')}`)).rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join(' | ');
        const claim = await plan(CLAIM);
        assert.match(claim, /Index (Only )?Scan using async_runner_task_claim_idx/);
        assert.doesNotMatch(claim, /Sort/, `the claim must read the index in order: ${claim}`);
        assert.match(await plan(SWEEP), /Index Scan using async_runner_task_running_idx/);
        assert.match(await plan(RETENTION), /Index (Only )?Scan using async_runner_task_finished_idx/);
      } finally {
        await client.end();
      }
    });
  }

  if (kind === 'mariadb') {
    it('asyncRunnerEntities({ partialIndexes: false }) gives full indexes, the claim index ordered as the claim is', async () => {
      const rows = (await orm.em.getConnection().execute(`SHOW INDEX FROM ${T}`)) as { Key_name: string; Column_name: string; Collation: string }[];
      const columns = (name: string) => rows.filter((r) => r.Key_name === name).map((r) => `${r.Column_name} ${r.Collation === 'D' ? 'DESC' : 'ASC'}`);
      assert.deepEqual(columns('async_runner_task_claim_idx'), ['status ASC', 'queue ASC', 'priority DESC', 'run_at ASC', 'id ASC']);
      assert.deepEqual(columns('async_runner_task_unique_key'), ['unique_key ASC']);
      assert.deepEqual(columns('async_runner_task_running_idx'), []);
    });

    it('the claim reads its rows off the claim index in order, with no filesort', async () => {
      const conn = orm.em.getConnection();
      // A few thousand rows over two queues and every status, so the optimizer has a choice to make.
      for (let batch = 0; batch < 4; batch++) {
        await conn.execute(
          `INSERT INTO ${T} (queue, name, status, priority, run_at, created_at) ` +
            `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000) ` +
            `SELECT IF(n % 3 = 0, 'other', 'default'), IF(n % 2 = 0, 'a', 'c'), ELT(1 + (n + ${batch}) % 4, 'pending', 'running', 'succeeded', 'failed'), n % 5, ` +
            `UTC_TIMESTAMP(3) - INTERVAL n SECOND, UTC_TIMESTAMP(3) FROM s`,
        );
      }
      await conn.execute(`ANALYZE TABLE ${T}`);
      const claim = CLAIM.replace('run_at <= 1', 'run_at <= UTC_TIMESTAMP(3)');
      for (const sql of [claim, `${claim} FOR UPDATE SKIP LOCKED`]) {
        const [plan] = (await conn.execute(`EXPLAIN ${sql}`)) as { key: string; type: string; Extra: string }[];
        assert.equal(plan?.key, 'async_runner_task_claim_idx', JSON.stringify(plan));
        assert.match(plan?.type ?? '', /^(ref|range)$/, JSON.stringify(plan));
        assert.doesNotMatch(plan?.Extra ?? '', /filesort|temporary/i, `the claim must read the index in order: ${JSON.stringify(plan)}`);
      }
    });

    it('the columns the runner matches by value have a binary collation, the rest the table\'s', async () => {
      const rows = (await orm.em.getConnection().execute(
        `SELECT c.table_name AS t, c.column_name AS c, IF(c.collation_name = t.table_collation, 'table default', c.collation_name) AS collation ` +
          `FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name ` +
          `WHERE c.table_schema = database() AND c.collation_name IS NOT NULL ORDER BY c.table_name, c.ordinal_position`,
      )) as { t: string; c: string; collation: string }[];
      assert.deepEqual(Object.fromEntries(rows.map((r) => [`${r.t}.${r.c}`, r.collation])), {
        'async_runner_stop.scope': 'utf8mb4_bin',
        'async_runner_stop.reason': 'table default',
        'async_runner_task.queue': 'utf8mb4_bin',
        'async_runner_task.name': 'utf8mb4_bin',
        'async_runner_task.payload': 'table default',
        'async_runner_task.status': 'utf8mb4_bin',
        'async_runner_task.last_error': 'table default',
        'async_runner_task.result': 'table default',
        'async_runner_task.progress': 'table default',
        'async_runner_task.unique_key': 'utf8mb4_bin',
        'async_runner_task.schedule_slot': 'utf8mb4_bin',
        'async_runner_task.locked_by': 'utf8mb4_bin',
      });
    });

    it('refuses to start with the partial-index entities, naming what to register instead', async () => {
      const error = await startupError(kind, AsyncRunnerModule.forRoot({ autoStart: false }), [], [...ASYNC_RUNNER_ENTITIES]);
      assert.ok(error instanceof ConfigMismatchError, `expected ConfigMismatchError, got ${String(error)}`);
      assert.match(error.message, /partial indexes, which MySQL and MariaDB do not have\. Register asyncRunnerEntities\(\{ partialIndexes: false \}\)/);
    });
  }
});

it('asyncRunnerEntities rejects unknown keys and a non-boolean partialIndexes', () => {
  assert.throws(() => asyncRunnerEntities({ partialIndex: false } as never), (e: unknown) => e instanceof InvalidOptionError && e.option === 'asyncRunnerEntities.partialIndex');
  assert.throws(
    () => asyncRunnerEntities({ partialIndexes: 'no' } as never),
    (e: unknown) => e instanceof InvalidOptionError && e.option === 'asyncRunnerEntities.partialIndexes' && /expected true or false, received "no"/.test(e.message),
  );
  const [task] = asyncRunnerEntities({ partialIndexes: false });
  assert.ok([...(task.meta.indexes ?? []), ...(task.meta.uniques ?? [])].every((i) => (i as { where?: unknown }).where === undefined));
});

it('asyncRunnerEntities takes a binary collation for the MySQL/MariaDB schemas only', () => {
  const collations = (options: Parameters<typeof asyncRunnerEntities>[0]) =>
    asyncRunnerEntities(options).map((e) => Object.fromEntries(Object.entries(e.meta.properties).filter(([, p]) => p.collation).map(([name, p]) => [name, p.collation])));
  const bin = 'utf8mb4_bin';
  assert.deepEqual(collations({ partialIndexes: false }), [
    { queue: bin, name: bin, status: bin, uniqueKey: bin, scheduleSlot: bin, lockedBy: bin },
    { scope: bin },
  ]);
  assert.deepEqual(collations({ partialIndexes: false, collation: 'utf8mb4_0900_bin' })[1], { scope: 'utf8mb4_0900_bin' });
  assert.deepEqual(collations({}), [{}, {}]);
  const rejects = (options: object, expected: RegExp) =>
    assert.throws(() => asyncRunnerEntities(options as never), (e: unknown) => e instanceof InvalidOptionError && e.option === 'asyncRunnerEntities.collation' && expected.test(e.message));
  rejects({ partialIndexes: false, collation: 'utf8mb4_general_ci' }, /a binary collation name ending in _bin/);
  rejects({ partialIndexes: false, collation: 'utf8mb4_bin; drop table x' }, /a binary collation name ending in _bin/);
  rejects({ partialIndexes: false, collation: 42 }, /a binary collation name ending in _bin, e\.g\. utf8mb4_nopad_bin, received 42/);
  rejects({ collation: 'utf8mb4_bin' }, /no collation with partial indexes/);
});
