import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { TaskHandler } from '../../lib/index.js';
import type { DbKind } from '../helpers/databases.js';
import { eachDatabase } from '../helpers/each-database.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

@Injectable()
class Noop {
  @TaskHandler('noop')
  run() {}
}

/** A trigger that makes the database itself refuse one row: a failure no validation can foresee. */
const TRIGGER: Record<DbKind, string[]> = {
  sqlite: [`CREATE TRIGGER refuse_boom BEFORE INSERT ON async_runner_task WHEN NEW.payload = '"boom"' BEGIN SELECT RAISE(ABORT, 'boom refused'); END`],
  postgres: [
    `CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN IF NEW.payload = '"boom"' THEN RAISE EXCEPTION 'boom refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    'CREATE TRIGGER refuse_boom BEFORE INSERT ON async_runner_task FOR EACH ROW EXECUTE FUNCTION refuse_boom()',
  ],
  mariadb: [`CREATE TRIGGER refuse_boom BEFORE INSERT ON async_runner_task FOR EACH ROW BEGIN IF NEW.payload = '"boom"' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom refused'; END IF; END`],
};

eachDatabase('enqueueMany is all or nothing', (kind) => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ kind, providers: [Noop] });
    for (const ddl of TRIGGER[kind]) await t.orm.em.getConnection().execute(ddl);
  });
  after(() => t.close());

  const count = async () => Number(((await t.orm.em.getConnection().execute('select count(*) as n from async_runner_task')) as { n: unknown }[])[0]!.n);

  it('a row the database refuses in a later statement leaves none of the earlier statements behind', async () => {
    // 2,500 items are three INSERT statements; the refused row is in the third.
    const items = Array.from({ length: 2500 }, (_, i) => ({ name: 'noop', payload: i === 2200 ? 'boom' : i }));
    await assert.rejects(t.queue.enqueueMany(items), /boom refused/);
    assert.equal(await count(), 0);
    // The same batch without the refused row goes in whole.
    const stored = await t.queue.enqueueMany(items.map((item, i) => (i === 2200 ? { ...item, payload: 'fine' } : item)));
    assert.equal(stored.length, 2500);
    assert.equal(await count(), 2500);
  });
});
