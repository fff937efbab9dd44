import type { BackoffOptions, ResolvedBackoff } from './backoff-options.js';
import type { ResolvedRetention, RetentionOptions } from './retention-options.js';

/**
 * Options of `AsyncRunnerModule.forRoot()`. Every field is optional; the defaults are listed
 * per field and in the README's options table. Invalid values fail at startup with an
 * `InvalidOptionError` naming the option.
 */
export interface AsyncRunnerOptions {
  /** Handlers this process runs at once, across all queues it serves. @default 10 */
  concurrency?: number;
  /**
   * Tasks claimed ahead of free slots, per served queue, and held in memory (leases renewed) until
   * a slot frees. Raises throughput of short tasks a lot (fewer, larger claims), at a price: a
   * task claimed ahead waits behind the ones claimed before it even if a higher-priority task
   * arrives meanwhile, and other workers cannot take it. Unstarted tasks are handed back, with
   * their attempt, on `stop()`; if the process dies, their leases expire as for running tasks.
   * `0` claims only for free slots. @default 0
   */
  prefetch?: number;
  /**
   * Queues this runner serves. A list of names shares `concurrency`; an object gives each queue
   * its own slots (`{ emails: 5, reports: 1 }`), and the runner's total concurrency becomes their sum.
   * @default [defaultQueue]
   */
  queues?: string[] | Record<string, number>;
  /** Queue for tasks enqueued without one (and for handlers that name none). @default 'default' */
  defaultQueue?: string;
  /** Fallback poll period in ms; enqueues in this process wake the runner at once. @default 1000 */
  pollIntervalMs?: number;
  /** Attempts for tasks whose handler and enqueue call set none. @default 3 */
  maxAttempts?: number;
  /** Retry delays for handlers that set none. @default { baseMs: 1000, factor: 2, maxMs: 3600000, jitter: 0.2 } */
  backoff?: BackoffOptions;
  /** Start claiming in `onApplicationBootstrap`. Producer-only apps set false. @default true */
  autoStart?: boolean;
  /** The started runner stops itself once nothing it can run is due or running (the Django runner's behaviour). @default false */
  stopWhenEmpty?: boolean;
  /** How long `stop()` (and app shutdown) waits for running handlers, in ms. @default 30000 */
  shutdownTimeoutMs?: number;
  /** Prefix of the two tables; must match the prefix given to `asyncRunnerEntities()`. @default 'async_runner_' */
  tablePrefix?: string;
  /** Let `enqueue` accept names with no handler in this app (a producer for workers elsewhere). @default false */
  allowUnknownTasks?: boolean;
  /** Lease a claimed task holds; renewed while the handler runs, taken back by any runner once expired. @default 30000 */
  leaseMs?: number;
  /** How often running tasks' leases are renewed. Must be below `leaseMs`. @default leaseMs / 3 */
  leaseRenewIntervalMs?: number;
  /** How often expired leases are swept (jittered ±20%). @default 15000 */
  sweepIntervalMs?: number;
  /** Largest JSON payload, result or progress value accepted, in bytes. @default 65535 */
  maxPayloadBytes?: number;
  /** Identifier of this worker in `lockedBy`; must be unique per process. @default `<hostname>:<pid>:<random>` */
  workerId?: string;
  /**
   * Deletion of finished tasks by a started runner, per status; `false` keeps everything.
   * @default { succeededAfterMs: 7 days, failedAfterMs: 30 days, cancelledAfterMs: 7 days, batchSize: 1000, intervalMs: 60000 }
   */
  retention?: RetentionOptions | false;
}

/** Options with defaults applied, as the runner uses them. */
export interface ResolvedAsyncRunnerOptions {
  concurrency: number;
  prefetch: number;
  /** Slots per served queue; `null` when all queues share `concurrency`. */
  queueSlots: Record<string, number> | null;
  queues: string[];
  defaultQueue: string;
  pollIntervalMs: number;
  maxAttempts: number;
  backoff: ResolvedBackoff;
  autoStart: boolean;
  stopWhenEmpty: boolean;
  shutdownTimeoutMs: number;
  tablePrefix: string;
  allowUnknownTasks: boolean;
  leaseMs: number;
  leaseRenewIntervalMs: number;
  sweepIntervalMs: number;
  maxPayloadBytes: number;
  workerId: string;
  retention: ResolvedRetention;
}
