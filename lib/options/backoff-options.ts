/**
 * Capped exponential backoff between attempts: the n-th retry waits
 * `min(maxMs, baseMs * factor^(n-1))`, then adds up to `jitter` of that at random.
 */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. Never 0: a retry is never immediate. @default 1000 */
  baseMs?: number;
  /** Growth per attempt. @default 2 */
  factor?: number;
  /** Upper bound of the delay before jitter, in ms. @default 3_600_000 (1 hour) */
  maxMs?: number;
  /** Fraction of the delay added at random (0 = none, 1 = up to double), to spread retries of a burst. @default 0.2 */
  jitter?: number;
}

/** {@link BackoffOptions} with every field present. */
export type ResolvedBackoff = Required<BackoffOptions>;

export const DEFAULT_BACKOFF: ResolvedBackoff = { baseMs: 1000, factor: 2, maxMs: 3_600_000, jitter: 0.2 };
