import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { MikroORM } from '@mikro-orm/core';
import { AsyncStop, Task, asyncRunnerEntities, type AsyncRunnerEntitiesOptions } from '../../lib/index.js';
import { createTestDatabase, type DbKind, type TestDatabase } from '../helpers/databases.js';
import { eachDatabase } from '../helpers/each-database.js';

// Apps run `orm.schema.update()` on every boot (the README and the sample worker's
// DB_SCHEMA=update do): a diff that is never empty rebuilt both SQLite tables, copying every
// row, and dropped and re-added MariaDB's claim index, each time.
const shapes: { label: string; options: (kind: DbKind) => AsyncRunnerEntitiesOptions; only?: DbKind[] }[] = [
  { label: '', options: (kind) => ({ partialIndexes: kind !== 'mariadb' }) },
  { label: ', tablePrefix jobs_', options: (kind) => ({ tablePrefix: 'jobs_', partialIndexes: kind !== 'mariadb' }) },
  { label: ', utf8mb4_nopad_bin', options: () => ({ partialIndexes: false, collation: 'utf8mb4_nopad_bin' }), only: ['mariadb'] },
];

for (const shape of shapes) eachDatabase(`schema diff right after create${shape.label}`, (kind) => {
  let db: TestDatabase;
  let orm: MikroORM;
  const options = shape.options(kind);
  const prefix = options.tablePrefix ?? 'async_runner_';

  before(async () => {
    db = await createTestDatabase(kind);
    orm = await MikroORM.init({ ...db.orm, entities: asyncRunnerEntities(options), allowGlobalContext: true } as never);
    await orm.schema.create();
  });
  after(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  it('a schema update right after create has nothing to change', async () => {
    assert.equal(await orm.schema.getUpdateSchemaSQL(), '');
  });

  it('and running it keeps the rows and their ids, the next id following on', async () => {
    const em = orm.em.fork();
    const stop = em.create(AsyncStop, { scope: 'all', createdAt: new Date() });
    await em.flush();
    await orm.schema.update();
    assert.equal(await orm.schema.getUpdateSchemaSQL(), '');
    const [row] = (await orm.em.getConnection().execute(`SELECT id, scope FROM ${prefix}stop`)) as { id: number | string; scope: string }[];
    assert.deepEqual({ id: Number(row?.id), scope: row?.scope }, { id: stop.id, scope: 'all' });
    const next = em.create(AsyncStop, { scope: 'queue:a', createdAt: new Date() });
    await em.flush();
    assert.equal(next.id, stop.id + 1);
  });

  it('ids are BIGINT on PostgreSQL and MariaDB and SQLite\'s INTEGER rowid, and hydrate as numbers', async () => {
    const conn = orm.em.getConnection();
    const types = kind === 'sqlite'
      ? ((await conn.execute(`SELECT type FROM pragma_table_info('${prefix}task') WHERE name = 'id'`)) as { type: string }[]).map((r) => r.type.toLowerCase())
      : ((await conn.execute(`SELECT data_type FROM information_schema.columns WHERE table_name = '${prefix}task' AND column_name = 'id'${kind === 'mariadb' ? ' AND table_schema = database()' : ''}`)) as { data_type: string }[]).map((r) => r.data_type.toLowerCase());
    assert.deepEqual(types, [kind === 'sqlite' ? 'integer' : 'bigint']);
    const em = orm.em.fork();
    const task = em.create(Task, { name: 'n', queue: 'default', status: 'pending' as never, runAt: new Date(), createdAt: new Date() } as never);
    await em.flush();
    const read = await orm.em.fork().findOneOrFail(Task, { id: task.id });
    assert.equal(typeof read.id, 'number');
    assert.equal(read.id, task.id);
  });
}, shape.only);
