import { setTimeout as sleep } from 'node:timers/promises';

/** When to give up: after `attempts` tries, or once `totalMs` has passed since the first. */
export interface RetryLimit {
  attempts?: number;
  totalMs?: number;
}

/**
 * Runs `fn` again, with jittered exponential backoff capped at 200 ms, while it fails with an
 * error `isTransient` recognises (a lock the database refused or broke) and the limit allows.
 * Each dialect names its own transient errors; anything else, connection loss included, is
 * thrown at once and left to the runner's own backoff.
 */
export async function retryTransient<T>(isTransient: (error: unknown) => boolean, limit: RetryLimit, fn: () => Promise<T>): Promise<T> {
  const deadline = limit.totalMs === undefined ? Infinity : Date.now() + limit.totalMs;
  const attempts = limit.attempts ?? Infinity;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransient(error) || attempt >= attempts || Date.now() > deadline) throw error;
      await sleep(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}
