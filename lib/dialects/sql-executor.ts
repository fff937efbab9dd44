import { TransactionContext, type EntityManager, type MikroORM } from '@mikro-orm/core';
import type { Dialect } from './dialect.js';
import { CompiledQuery, type Kysely } from 'kysely';
import { InvalidOptionError } from '../errors/invalid-option.error.js';

/** The part of a `pg` Client the LISTEN connection uses. */
export interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (msg: { channel: string; payload?: string }) => void): this;
  on(event: 'error' | 'end', listener: (error?: Error) => void): this;
  removeAllListeners(): this;
}

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

  private get connection(): {
    getClient(): Kysely<any>;
    ensureConnection(): Promise<void>;
    transactional<T>(cb: (trx: SqlContext) => Promise<T>): Promise<T>;
    getNativeClient(): Promise<unknown>;
  } {
    return this.orm.em.getConnection() as never;
  }

  /** The host ORM's configuration value `key` (e.g. `forceUtcTimezone`). */
  config(key: string): unknown {
    return (this.orm.config as unknown as { get(k: string): unknown }).get(key);
  }

  /**
   * A new PostgreSQL client outside the ORM's pool, built with the pool's own connection
   * options, for a session that must stay open (LISTEN). The caller connects and ends it.
   */
  async dedicatedPgClient(): Promise<PgClient> {
    const pool = (await this.connection.getNativeClient()) as { Client: new (options: unknown) => PgClient; options: Record<string, unknown> };
    return new pool.Client({ ...pool.options, application_name: 'nest-async-runner listener' });
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

  /**
   * This executor with every statement sent on `ctx` (a caller's open transaction), or itself
   * when there is none: lets an operation written against an executor join that transaction.
   */
  on(ctx: SqlContext | undefined): SqlExecutor {
    if (!ctx) return this;
    const bound = Object.create(this) as { -readonly [K in keyof SqlExecutor]: SqlExecutor[K] };
    bound.all = (sql, params) => this.all(sql, params, ctx);
    bound.run = (sql, params) => this.run(sql, params, ctx);
    bound.transaction = (fn) => fn(ctx);
    return bound as SqlExecutor;
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
  const ctx = em.getTransactionContext() as (SqlContext & { isCommitted?: boolean; isRolledBack?: boolean }) | undefined;
  // MikroORM leaves a finished transaction on its fork (and in the async context of whatever
  // ran inside it, timers included): writing through it would fail, and it holds nothing now.
  if (!ctx || ctx.isCommitted || ctx.isRolledBack) return undefined;
  return ctx;
}

/**
 * On SQLite the one connection belongs to whichever transaction is open on it: a handler that
 * reports progress inside `ctx.em.transactional()` must write through that transaction, or the
 * write waits for a commit that waits for the write.
 */
export function sqliteTransaction(dialect: Dialect): SqlContext | undefined {
  return dialect.name === 'sqlite' ? transactionOf(TransactionContext.getEntityManager()) : undefined;
}
