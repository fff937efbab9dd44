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

  // On SQLite and MariaDB MikroORM 7.2's schema diff reports changes right after create even
  // for the full indexes (a table rebuild on SQLite, the DESC claim index on MariaDB); the
  // partial indexes add none there. PostgreSQL diffs clean.
  if (kind === 'postgres') {
    it('the generated schema matches the entities: a schema update right after create changes nothing', async () => {
      assert.equal((await orm.schema.getUpdateSchemaSQL()).trim(), '');
    });
  }

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
    it('asyncRunnerEntities({ partialIndexes: false }) gives full indexes', async () => {
      const rows = (await orm.em.getConnection().execute(`SHOW INDEX FROM ${T}`)) as { Key_name: string; Column_name: string }[];
      const columns = (name: string) => rows.filter((r) => r.Key_name === name).map((r) => r.Column_name);
      assert.deepEqual(columns('async_runner_task_claim_idx'), ['status', 'queue', 'priority', 'run_at', 'id']);
      assert.deepEqual(columns('async_runner_task_unique_key'), ['unique_key']);
      assert.deepEqual(columns('async_runner_task_running_idx'), []);
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
