import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { MikroORM } from '@mikro-orm/core';
import { resolveDialect, SUPPORTED_DRIVERS } from '../../lib/dialects/resolve-dialect.js';
import { UnsupportedDriverError } from '../../lib/errors/unsupported-driver.error.js';

/** Just enough of a MikroORM instance for the driver lookup, which reads only the driver's class name. */
function ormWithDriver(name: string): MikroORM {
  const Driver = { [name]: class {} }[name]!;
  return { config: { getDriver: () => new Driver() }, em: {} } as unknown as MikroORM;
}

it('rejects drivers without a dialect, naming the driver and every supported one', () => {
  for (const driver of ['MongoDriver', 'MsSqlDriver', 'LibSqlDriver']) {
    assert.throws(() => resolveDialect(ormWithDriver(driver), 'async_runner_'), (error: unknown) => {
      assert.ok(error instanceof UnsupportedDriverError);
      assert.equal(error.driver, driver);
      assert.match(error.message, new RegExp(`driver "${driver}"`));
      for (const supported of SUPPORTED_DRIVERS) assert.ok(error.message.includes(`(${supported})`), `message lists ${supported}`);
      return true;
    });
  }
  assert.deepEqual([...SUPPORTED_DRIVERS].sort(), ['MariaDbDriver', 'MySqlDriver', 'PostgreSqlDriver', 'SqliteDriver']);
});

it('picks the dialect by driver class name', () => {
  assert.equal(resolveDialect(ormWithDriver('PostgreSqlDriver'), 'p_').name, 'postgresql');
  assert.equal(resolveDialect(ormWithDriver('MySqlDriver'), 'p_').name, 'mysql');
  assert.equal(resolveDialect(ormWithDriver('MariaDbDriver'), 'p_').name, 'mysql');
  assert.equal(resolveDialect(ormWithDriver('SqliteDriver'), 'p_').name, 'sqlite');
});
