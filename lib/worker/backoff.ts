import type { ResolvedBackoff } from '../options/backoff-options.js';

/**
 * Delay before the retry that follows attempt `attempt` (1-based):
 * `min(maxMs, baseMs * factor^(attempt-1)) * (1 + jitter * random)`. Jitter only adds, so
 * the first retry waits at least `baseMs` and, with `factor > 1 + jitter`, each wait is
 * longer than the one before.
 */
export function retryDelayMs(backoff: ResolvedBackoff, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(backoff.maxMs, backoff.baseMs * backoff.factor ** Math.max(0, attempt - 1));
  return Math.round(exp * (1 + backoff.jitter * random()));
}
