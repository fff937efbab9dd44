import { retryTransient } from '../retry-transient.js';

const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED']);

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && BUSY.has(code);
}

/**
 * Retries a statement that SQLite refused because another process holds the write lock past
 * the driver's busy timeout. Callers of `enqueue` and the runner loop never see SQLITE_BUSY
 * unless the file stays locked for `totalMs`.
 */
export function withBusyRetry<T>(fn: () => Promise<T>, totalMs = 60_000): Promise<T> {
  return retryTransient(isBusy, { totalMs }, fn);
}
