import assert from 'node:assert/strict';
import { it } from 'node:test';
import { checkServerVersion } from '../../lib/dialects/server-version.js';
import { UnsupportedDatabaseVersionError } from '../../lib/errors/index.js';

it('accepts servers with FOR UPDATE SKIP LOCKED and tells MariaDB from MySQL', () => {
  assert.equal(checkServerVersion('postgresql', '15.8 (Debian 15.8-0+deb12u1)'), 'postgresql');
  assert.equal(checkServerVersion('postgresql', '9.5.25'), 'postgresql');
  assert.equal(checkServerVersion('mysql', '8.0.36'), 'mysql');
  assert.equal(checkServerVersion('mysql', '8.4.2-log'), 'mysql');
  assert.equal(checkServerVersion('mysql', '10.11.19-MariaDB-0+deb12u1'), 'mariadb');
  assert.equal(checkServerVersion('mysql', '11.4.2-MariaDB'), 'mariadb');
});

it('rejects older servers with the version found and the one needed', () => {
  const cases: [Parameters<typeof checkServerVersion>, string][] = [
    [['postgresql', '9.4.26'], 'nest-async-runner needs PostgreSQL 9.5 or newer (for FOR UPDATE SKIP LOCKED); this server is 9.4.26.'],
    [['mysql', '5.7.44'], 'nest-async-runner needs MySQL 8.0.1 or newer (for FOR UPDATE SKIP LOCKED); this server is 5.7.44.'],
    [['mysql', '8.0.0-dmr'], 'nest-async-runner needs MySQL 8.0.1 or newer (for FOR UPDATE SKIP LOCKED); this server is 8.0.0-dmr.'],
    [['mysql', '10.5.23-MariaDB'], 'nest-async-runner needs MariaDB 10.6 or newer (for FOR UPDATE SKIP LOCKED); this server is 10.5.23-MariaDB.'],
    [['mysql', 'unknown'], 'nest-async-runner needs MySQL 8.0.1 or newer (for FOR UPDATE SKIP LOCKED); this server is unknown.'],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => checkServerVersion(...args), (e: unknown) => e instanceof UnsupportedDatabaseVersionError && e.message === message);
  }
});
