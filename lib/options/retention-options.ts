import { InvalidOptionError } from '../errors/invalid-option.error.js';
import { checkInt, checkKnownKeys, checkObject } from './validators.js';

/**
 * How long finished tasks are kept. Each age counts from the task's `finishedAt`; `false`
 * keeps that status forever. Pending and running tasks are never deleted.
 */
export interface RetentionOptions {
  /** Age after which `succeeded` tasks are deleted, in ms. @default 604800000 (7 days) */
  succeededAfterMs?: number | false;
  /** Age after which `failed` tasks are deleted, in ms. @default 2592000000 (30 days) */
  failedAfterMs?: number | false;
  /** Age after which `cancelled` tasks are deleted, in ms. @default 604800000 (7 days) */
  cancelledAfterMs?: number | false;
  /** Rows deleted per statement, so a large backlog never holds a long lock. @default 1000 */
  batchSize?: number;
  /** How often a started runner prunes (jittered ±20%). @default 60000 */
  intervalMs?: number;
}

/** {@link RetentionOptions} with defaults applied; `null` age = keep forever. */
export interface ResolvedRetention {
  succeededAfterMs: number | null;
  failedAfterMs: number | null;
  cancelledAfterMs: number | null;
  batchSize: number;
  intervalMs: number;
}

const DAY = 24 * 3600 * 1000;
const KEYS = ['succeededAfterMs', 'failedAfterMs', 'cancelledAfterMs', 'batchSize', 'intervalMs'] as const;
const MAX_AGE = 100 * 365 * DAY;

/** `retention: false` disables pruning entirely. */
export function resolveRetention(value: unknown): ResolvedRetention {
  if (value === false) return { succeededAfterMs: null, failedAfterMs: null, cancelledAfterMs: null, batchSize: 1000, intervalMs: 60_000 };
  const o = checkObject('retention', value ?? {});
  checkKnownKeys('retention', o, KEYS);
  const age = (key: string, fallback: number): number | null => {
    const v = o[key];
    if (v === undefined) return fallback;
    if (v === false) return null;
    if (typeof v !== 'number') throw new InvalidOptionError(`retention.${key}`, `false or an integer from 0 to ${MAX_AGE}`, v);
    return checkInt(`retention.${key}`, v, 0, MAX_AGE);
  };
  return {
    succeededAfterMs: age('succeededAfterMs', 7 * DAY),
    failedAfterMs: age('failedAfterMs', 30 * DAY),
    cancelledAfterMs: age('cancelledAfterMs', 7 * DAY),
    batchSize: o.batchSize === undefined ? 1000 : checkInt('retention.batchSize', o.batchSize, 1, 10_000),
    intervalMs: o.intervalMs === undefined ? 60_000 : checkInt('retention.intervalMs', o.intervalMs, 100, 2_147_483_647),
  };
}
