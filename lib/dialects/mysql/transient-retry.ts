import { retryTransient } from '../retry-transient.js';

// Deadlock, lock wait timeout, and MariaDB's "record has changed since last read".
const TRANSIENT = new Set([1213, 1205, 1020]);

function isTransient(error: unknown): boolean {
  const errno = (error as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' && TRANSIENT.has(errno);
}

/**
 * Retries a statement InnoDB rolled back to break a lock cycle (gap locks on the claim index
 * make these routine under concurrent claims and inserts).
 */
export function withTransientRetry<T>(fn: () => Promise<T>, attempts = 10): Promise<T> {
  return retryTransient(isTransient, { attempts }, fn);
}
