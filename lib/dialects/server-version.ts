import { UnsupportedDatabaseVersionError } from '../errors/unsupported-database-version.error.js';

const MINIMUM = { postgresql: [9, 5], mysql: [8, 0, 1], mariadb: [10, 6] } as const;
const LABEL = { postgresql: 'PostgreSQL', mysql: 'MySQL', mariadb: 'MariaDB' } as const;

function atLeast(actual: number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    const a = actual[i] ?? 0;
    if (a !== minimum[i]) return a > minimum[i]!;
  }
  return true;
}

/**
 * Fails at startup, with the version found and the one needed, on servers without FOR UPDATE
 * SKIP LOCKED. `version` is what the server reports (`SELECT VERSION()`, or PostgreSQL's
 * `server_version`); MariaDB is recognised by its name in the text.
 */
export function checkServerVersion(family: 'postgresql' | 'mysql', version: string): 'postgresql' | 'mysql' | 'mariadb' {
  const server = family === 'mysql' && /mariadb/i.test(version) ? 'mariadb' : family;
  const numbers = (/(\d+)\.(\d+)(?:\.(\d+))?/.exec(version) ?? []).slice(1).filter((n) => n !== undefined).map(Number);
  const minimum = MINIMUM[server];
  if (numbers.length === 0 || !atLeast(numbers, minimum)) {
    throw new UnsupportedDatabaseVersionError(LABEL[server], version, minimum.join('.'));
  }
  return server;
}
