/**
 * Collects bound values and hands out PostgreSQL's numbered placeholders ($1, $2, …), so a
 * statement never needs positional bookkeeping or a `?` rewrite that could touch literals.
 */
export class PgParams {
  readonly values: unknown[] = [];

  /** Binds `value` and returns its placeholder, with an optional cast (`$3::text[]`). */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

/** `now() + n ms` as SQL, with n bound. */
export function nowPlusMs(p: PgParams, ms: number): string {
  return `now() + ${p.add(ms, 'double precision')} * interval '1 millisecond'`;
}
