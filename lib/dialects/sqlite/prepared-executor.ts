import type { MikroORM } from '@mikro-orm/core';
import { SqlExecutor, type RunResult, type SqlContext } from '../sql-executor.js';

/** The parts of a better-sqlite3 statement and database the runner uses. */
interface NativeStatement {
  readonly reader: boolean;
  all(params: readonly unknown[]): unknown[];
  run(params: readonly unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface NativeDatabase {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): NativeStatement;
}

/** The `ctx` of statements inside {@link PreparedSqliteExecutor.transaction}; never a real Kysely handle. */
const OWN_TRANSACTION = Object.freeze({ ownSqliteTransaction: true }) as unknown as SqlContext;

/** Enough for the runner's distinct statements (claim, finish and renew batch sizes) without growing unbounded. */
const MAX_CACHED = 128;
/** Statements longer than this go to the small long-statement cache instead. */
const MAX_CACHED_SQL_LENGTH = 4096;
/**
 * A bulk enqueue repeats one full-chunk insert (tens of kB of SQL) per chunk; preparing it
 * cost a quarter of the time of running it. Only a few are kept: the rare other long
 * statements (a last partial chunk) should not pin memory.
 */
const MAX_CACHED_LONG = 4;

/**
 * Sends the runner's own statements to better-sqlite3 as cached prepared statements. The
 * ORM's Kysely driver prepares every query anew, which was the largest single cost of a
 * claim or finish. Each statement still runs while holding Kysely's connection lock, so it
 * waits for an open app transaction on the one SQLite connection exactly as before; and a
 * statement inside a caller's transaction (`ctx`) goes through that transaction unchanged.
 */
export class PreparedSqliteExecutor extends SqlExecutor {
  private native: NativeDatabase | null | undefined;
  private readonly statements = new Map<string, NativeStatement>();
  private readonly longStatements = new Map<string, NativeStatement>();

  constructor(private readonly host: MikroORM) {
    super(host);
  }

  override async all<Row>(sql: string, params: readonly unknown[] = [], ctx?: SqlContext): Promise<Row[]> {
    return (await this.run<Row>(sql, params, ctx)).rows;
  }

  override async run<Row = unknown>(sql: string, params: readonly unknown[] = [], ctx?: SqlContext): Promise<RunResult<Row>> {
    // Inside our own transaction the connection lock is already held by it.
    if (ctx === OWN_TRANSACTION) return this.execute<Row>(this.native!, sql, params);
    const db = ctx ? null : await this.database();
    if (!db) return super.run<Row>(sql, params, ctx);
    return this.locked(() => this.execute<Row>(db, sql, params));
  }

  /**
   * A transaction of the runner's own (a multi-chunk enqueue, a batch of outcomes) on the
   * native handle: BEGIN IMMEDIATE … COMMIT holding the connection lock throughout, with every
   * statement from the prepared cache. Through the ORM it would prepare each statement again.
   */
  override async transaction<T>(fn: (ctx: SqlContext) => Promise<T>): Promise<T> {
    const db = await this.database();
    if (!db) return super.transaction(fn);
    return this.locked(async () => {
      this.statement(db, 'BEGIN IMMEDIATE').run([]);
      try {
        const out = await fn(OWN_TRANSACTION);
        this.statement(db, 'COMMIT').run([]);
        return out;
      } catch (error) {
        if (db.inTransaction) this.statement(db, 'ROLLBACK').run([]);
        throw error;
      }
    });
  }

  private execute<Row>(db: NativeDatabase, sql: string, params: readonly unknown[]): RunResult<Row> {
    const stmt = this.statement(db, sql);
    if (stmt.reader) {
      const rows = stmt.all(params) as Row[];
      return { affected: rows.length, rows };
    }
    const info = stmt.run(params);
    return { affected: info.changes, insertId: Number(info.lastInsertRowid), rows: [] };
  }

  /** The better-sqlite3 handle, or null when the connection does not expose one (then Kysely is used). */
  private async database(): Promise<NativeDatabase | null> {
    // After the ORM closed and reconnected, its handle (and every statement prepared on it) is dead.
    if (this.native && !this.native.open) {
      this.native = undefined;
      this.statements.clear();
      this.longStatements.clear();
    }
    if (this.native !== undefined) return this.native;
    const connection = this.host.em.getConnection() as { getNativeClient?: () => Promise<unknown> };
    const client = (await connection.getNativeClient?.().catch(() => null)) as NativeDatabase | null | undefined;
    this.native = client && typeof client.prepare === 'function' ? client : null;
    return this.native;
  }

  private statement(db: NativeDatabase, sql: string): NativeStatement {
    const long = sql.length > MAX_CACHED_SQL_LENGTH;
    const cache = long ? this.longStatements : this.statements;
    let stmt = cache.get(sql);
    if (stmt) {
      // Refresh its place so the least recently used statement is the one evicted.
      cache.delete(sql);
    } else {
      stmt = db.prepare(sql);
      if (cache.size >= (long ? MAX_CACHED_LONG : MAX_CACHED)) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, stmt);
    return stmt;
  }

  /** Runs `fn` holding Kysely's connection (its lock serialises users of the one SQLite connection). */
  private locked<T>(fn: () => T | Promise<T>): Promise<T> {
    const client = (this.host.em.getConnection() as unknown as { getClient(): SqlContext }).getClient();
    return client.connection().execute(async () => fn());
  }
}
