import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import { SqlExecutor, type RunResult, type SqlContext } from '../sql-executor.js';

/** The parts of a `pg` Pool the runner uses. */
interface NativePool {
  readonly ending?: boolean;
  readonly ended?: boolean;
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** Statements this long are one-off (multi-row inserts): sent unnamed rather than kept prepared on every connection. */
const MAX_NAMED_SQL_LENGTH = 4096;
/** Names computed so far, by statement text; the runner has a few dozen distinct statements. */
const MAX_NAMES = 512;

/**
 * Sends the runner's own statements straight to the ORM's `pg` pool as named prepared
 * statements: the server parses and plans each once per connection, and the client skips
 * the query builder layers, which were most of the runner's CPU per claim and finish. The
 * pool is the ORM's own (same size, options, type parsers). A statement inside a caller's
 * transaction (`ctx`), and every transaction, still goes through the ORM's client.
 */
export class PooledPgExecutor extends SqlExecutor {
  private native: NativePool | undefined;
  private readonly names = new Map<string, string>();

  constructor(private readonly host: MikroORM) {
    super(host);
  }

  override async all<Row>(sql: string, params: readonly unknown[] = [], ctx?: SqlContext): Promise<Row[]> {
    if (ctx) return super.all<Row>(sql, params, ctx);
    const res = await (await this.pool()).query(this.queryConfig(sql, params));
    return res.rows as Row[];
  }

  override async run<Row = unknown>(sql: string, params: readonly unknown[] = [], ctx?: SqlContext): Promise<RunResult<Row>> {
    if (ctx) return super.run<Row>(sql, params, ctx);
    const res = await (await this.pool()).query(this.queryConfig(sql, params));
    return { affected: res.rowCount ?? res.rows.length, rows: res.rows as Row[] };
  }

  private queryConfig(text: string, params: readonly unknown[]): { text: string; values: unknown[]; name?: string } {
    if (text.length > MAX_NAMED_SQL_LENGTH) return { text, values: params as unknown[] };
    let name = this.names.get(text);
    if (!name) {
      // Named by content: the same text always gets the same name, on every connection.
      name = `nar_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      if (this.names.size >= MAX_NAMES) this.names.clear();
      this.names.set(text, name);
    }
    return { text, values: params as unknown[], name };
  }

  /** The ORM's pool; fetched again after the ORM closed and reconnected. */
  private async pool(): Promise<NativePool> {
    if (!this.native || this.native.ending || this.native.ended) {
      this.native = (await this.host.em.getConnection().getNativeClient()) as NativePool;
    }
    return this.native;
  }
}
