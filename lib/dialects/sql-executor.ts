import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { CompiledQuery, type Kysely } from 'kysely';
import { InvalidOptionError } from '../errors/invalid-option.error.js';

/** Result of a write statement. */
export interface RunResult<Row> {
  affected: number;
  insertId?: number;
  rows: Row[];
}

/** A transaction (or connection) handle that statements may be sent on. */
export type SqlContext = Kysely<any>;

/**
 * Sends hand-written SQL with bound parameters through the host ORM's own connection (and
 * pool), so the runner shares its configuration and, on SQLite, its single connection's
 * queue: a runner statement never lands inside an app transaction on the same connection.
 * This is the one file that knows how MikroORM 7 exposes its client.
 */
export class SqlExecutor {
  constructor(private readonly orm: MikroORM) {}

  private get connection(): { getClient(): Kysely<any>; ensureConnection(): Promise<void>; transactional<T>(cb: (trx: SqlContext) => Promise<T>): Promise<T> } {
    return this.orm.em.getConnection() as never;
  }

  async connect(): Promise<void> {
    await this.connection.ensureConnection();
  }

  /** Rows of a SELECT, or of a write with RETURNING. */
  async all<Row>(sql: string, params: readonly unknown[] = [], ctx?: SqlContext): Promise<Row[]> {
    const res = await (ctx ?? this.connection.getClient()).executeQuery<Row>(CompiledQuery.raw(sql, params as unknown[]));
    return res.rows as Row[];
  }

  async run<Row = unknown>(sql: string, params: readonly unknown[] = [], ctx?: SqlContext): Promise<RunResult<Row>> {
    const res = await (ctx ?? this.connection.getClient()).executeQuery<Row>(CompiledQuery.raw(sql, params as unknown[]));
    return {
      affected: Number(res.numAffectedRows ?? res.rows.length),
      insertId: res.insertId == null ? undefined : Number(res.insertId),
      rows: res.rows as Row[],
    };
  }

  /** Runs `fn` in a transaction of its own on the ORM's connection. */
  transaction<T>(fn: (ctx: SqlContext) => Promise<T>): Promise<T> {
    return this.connection.transactional(fn);
  }
}

/** The open transaction of a caller's EntityManager, if any, so an enqueue joins it. */
export function transactionOf(em: EntityManager | undefined): SqlContext | undefined {
  if (em === undefined) return undefined;
  // Checked here, before anything is written, so a wrong value is a clear option error
  // rather than a TypeError from deep inside the insert.
  if (typeof (em as { getTransactionContext?: unknown } | null)?.getTransactionContext !== 'function') {
    throw new InvalidOptionError('em', "an EntityManager (the `em` of an em.transactional() callback)", em);
  }
  return (em.getTransactionContext() as SqlContext | undefined) ?? undefined;
}
