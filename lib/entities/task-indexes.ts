import type { EntitySchemaMetadata } from '@mikro-orm/core';
import type { Task } from './task.entity.js';

type TaskIndexes = Pick<EntitySchemaMetadata<Task>, 'indexes' | 'uniques'>;

/**
 * Indexes for SQLite and PostgreSQL: each indexes only the rows its queries read. A task row
 * is written three or four times (insert, claim, finish, maybe a retry). On PostgreSQL a write
 * that changes an indexed column adds an entry to every index the row belongs to, and an index
 * whose predicate the row does not meet costs nothing; the full indexes took ten index entries
 * per task for the claim and finish alone, these take four. Both databases also keep smaller
 * indexes: the claim index holds what is waiting, not every task ever run.
 */
export function partialIndexes(prefix: string): TaskIndexes {
  return {
    indexes: [
      // The claim's WHERE and ORDER BY (priority DESC, run_at, id), over pending rows only.
      // Written out as SQL (valid on both databases) because MikroORM reads no sort order back
      // from SQLite: declared with `columns`, the DESC made every schema diff drop and recreate
      // the index there. MikroORM compares an index given as SQL by name only, so a change to
      // this definition must come with a new name.
      {
        name: `${prefix}task_claim_idx`,
        expression: (_columns, table, indexName) =>
          `create index "${indexName}" on ${quoteTable(table)} ("queue", "priority" desc, "run_at", "id") where status = 'pending'`,
      },
      // The expired-lease sweep reads running rows (the tasks in flight). Keyed by id, which
      // never changes, so lease renewals stay in-place updates.
      { name: `${prefix}task_running_idx`, properties: ['id'], where: "status = 'running'" },
      // Retention deletes finished rows by status and age.
      { name: `${prefix}task_finished_idx`, properties: ['status', 'finishedAt'], where: 'finished_at IS NOT NULL' },
    ],
    uniques: [
      { name: `${prefix}task_unique_key`, properties: ['uniqueKey'], where: 'unique_key IS NOT NULL' },
      // Never released when the task finishes: a schedule slot yields one task, ever.
      { name: `${prefix}task_schedule_slot`, properties: ['scheduleSlot'], where: 'schedule_slot IS NOT NULL' },
    ],
  };
}

/** Indexes for MySQL and MariaDB, which have no partial indexes (MariaDB refuses `where`). */
export function fullIndexes(prefix: string): TaskIndexes {
  return {
    indexes: [
      // Same column order and directions as the claim's WHERE and ORDER BY (priority DESC,
      // run_at, id), so a claim reads the first due rows off the index instead of sorting
      // every pending row of the queue. The expired-lease sweep (status = 'running') uses it
      // too: running rows are only the tasks in flight, so a separate lease index would only
      // add a write to every claim and finish.
      // Column options only where they differ from the default: MySQL/MariaDB report only those
      // back, and the schema diff compares the two lists, so options on every column made each
      // diff drop and re-add this index.
      {
        name: `${prefix}task_claim_idx`,
        properties: ['status', 'queue', 'priority', 'runAt', 'id'],
        columns: [{ name: 'priority', sort: 'DESC' }],
      },
      { name: `${prefix}task_finished_idx`, properties: ['status', 'finishedAt'] },
    ],
    uniques: [
      { name: `${prefix}task_unique_key`, properties: ['uniqueKey'] },
      { name: `${prefix}task_schedule_slot`, properties: ['scheduleSlot'] },
    ],
  };
}

// The default schema is left out, as MikroORM leaves it out of its own statements: the table
// is wherever search_path put it, which need not be `public`.
function quoteTable(table: { name: string; schema?: string }): string {
  return table.schema && table.schema !== 'public' && table.schema !== 'main' ? `"${table.schema}"."${table.name}"` : `"${table.name}"`;
}
