import { describe } from 'node:test';
import { availableDatabases, type DbKind } from './databases.js';

const databases = await availableDatabases();

/**
 * Declares `body` once per database of this run (see `availableDatabases`); a database whose
 * server is unreachable outside CI shows as skipped with the reason, never as passed.
 * `only` limits a suite to the dialects it concerns.
 */
export function eachDatabase(title: string, body: (kind: DbKind) => void, only?: readonly DbKind[]): void {
  for (const { kind, skip } of databases) {
    if (only && !only.includes(kind)) continue;
    describe(`${title} [${kind}]`, { skip }, () => body(kind));
  }
}
