import { retryTransient } from '../retry-transient.js';

// deadlock_detected, serialization_failure, lock_not_available
const TRANSIENT = new Set(['40P01', '40001', '55P03']);

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT.has(code);
}

/**
 * Retries a statement PostgreSQL aborted to break a lock cycle (a sweep and a batched finish
 * can lock rows in different orders).
 */
export function withTransientRetry<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  return retryTransient(isTransient, { attempts }, fn);
}
