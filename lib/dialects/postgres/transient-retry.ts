import { setTimeout as sleep } from 'node:timers/promises';

// deadlock_detected, serialization_failure, lock_not_available
const TRANSIENT = new Set(['40P01', '40001', '55P03']);

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT.has(code);
}

/**
 * Retries a statement PostgreSQL aborted to break a lock cycle (a sweep and a batched finish
 * can lock rows in different orders). Connection errors are not retried here: the runner's
 * loops back off and try again on their own schedule.
 */
export async function withTransientRetry<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransient(error) || attempt >= attempts) throw error;
      await sleep(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}
