import type { EntityManager } from '@mikro-orm/core';

/** Per-task options of `enqueue`; each overrides the handler's and module's defaults. */
export interface EnqueueOptions {
  /** Attempts before the task is `failed`. @default handler's `maxAttempts`, else module's */
  maxAttempts?: number;
  /** Earliest start. Mutually exclusive with `delayMs`. @default now */
  runAt?: Date;
  /** Start after this many ms (from the database's clock on PostgreSQL/MySQL). @default 0 */
  delayMs?: number;
  /** Higher runs first, from -1000000 to 1000000. @default 0 */
  priority?: number;
  /** Queue. @default handler's `queue`, else module's `defaultQueue` */
  queue?: string;
  /** While a task with this key is pending or running, enqueue returns it instead of adding another. */
  uniqueKey?: string;
  /** Per-attempt time limit in ms. @default handler's `timeoutMs` */
  timeoutMs?: number;
  /**
   * Write through this EntityManager's open transaction: the task exists only if it commits.
   * Inside `em.transactional(...)`, pass that callback's `em`.
   */
  em?: EntityManager;
}

/** One item of `enqueueMany`. */
export interface EnqueueItem<Payload = unknown> {
  name: string;
  payload?: Payload;
  options?: Omit<EnqueueOptions, 'em'>;
}
