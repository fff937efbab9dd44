import { setTimeout as sleep } from 'node:timers/promises';

// Deadlock, lock wait timeout, and MariaDB's "record has changed since last read".
const TRANSIENT = new Set([1213, 1205, 1020]);

function isTransient(error: unknown): boolean {
  const errno = (error as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' && TRANSIENT.has(errno);
}

/**
 * Retries a statement InnoDB rolled back to break a lock cycle (gap locks on the claim index
 * make these routine under concurrent claims and inserts). Connection errors are left to
 * the runner's own backoff.
 */
export async function withTransientRetry<T>(fn: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransient(error) || attempt >= attempts) throw error;
      await sleep(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}
