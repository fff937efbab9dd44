import type { BackoffOptions } from '../options/backoff-options.js';

/** Options of `@TaskHandler(name, options)`; each falls back to the module option of the same name. */
export interface TaskHandlerOptions {
  /** Attempts for tasks of this name (an enqueue option overrides it). @default module `maxAttempts` */
  maxAttempts?: number;
  /** Retry delays for this handler. @default module `backoff` */
  backoff?: BackoffOptions;
  /** Queue that tasks of this name go to when enqueued without one. @default module `defaultQueue` */
  queue?: string;
  /** Per-attempt time limit in ms; `ctx.signal` fires when it passes. @default none */
  timeoutMs?: number;
  /**
   * Cron expression (5 fields, or 6 with seconds first, as croner reads them): every started
   * runner schedules it, and each slot yields exactly one task across all instances sharing
   * the database. The task's payload is `{ scheduledFor: '<slot ISO time>' }`. @default none
   */
  cron?: string;
  /** IANA time zone the cron expression is read in (e.g. `Europe/Berlin`). @default UTC */
  timezone?: string;
}
