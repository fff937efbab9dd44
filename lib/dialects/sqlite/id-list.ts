/**
 * `id IN (${ID_LIST})` with the ids bound as one JSON array: one statement text whatever the
 * batch size, so the prepared-statement cache keeps one statement instead of one per size
 * (outcome batches vary from 1 to hundreds of ids, and each evicted statement held native
 * memory until the next garbage collection). SQLite still looks each id up by rowid.
 */
export const ID_LIST = 'SELECT value FROM json_each(?)';

/** The bound value for {@link ID_LIST}. */
export function idList(ids: readonly number[]): string {
  return JSON.stringify(ids);
}
