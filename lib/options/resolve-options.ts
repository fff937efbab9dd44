import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidOptionError } from '../errors/invalid-option.error.js';
import type { AsyncRunnerOptions, ResolvedAsyncRunnerOptions } from './async-runner-options.js';
import { DEFAULT_BACKOFF } from './backoff-options.js';
import { resolveRetention } from './retention-options.js';
import { resolveBackoff } from './validate-backoff.js';
import { checkBoolean, checkInt, checkKnownKeys, checkName, checkObject, checkString } from './validators.js';

const KEYS: readonly (keyof AsyncRunnerOptions)[] = [
  'concurrency', 'queues', 'defaultQueue', 'pollIntervalMs', 'maxAttempts', 'backoff', 'autoStart', 'stopWhenEmpty',
  'shutdownTimeoutMs', 'tablePrefix', 'allowUnknownTasks', 'leaseMs', 'leaseRenewIntervalMs', 'sweepIntervalMs',
  'maxPayloadBytes', 'workerId', 'retention', 'prefetch',
];

const MAX_MS = 2_147_483_647; // setTimeout's ceiling

/** Applies defaults and validates every field; the single place defaults live. */
export function resolveOptions(input: AsyncRunnerOptions = {}): ResolvedAsyncRunnerOptions {
  const o = checkObject('options', input) as AsyncRunnerOptions;
  checkKnownKeys('', o as Record<string, unknown>, KEYS);
  const pick = <T>(key: keyof AsyncRunnerOptions, fallback: T, check: (name: string, v: unknown) => T): T =>
    o[key] === undefined ? fallback : check(key, o[key]);

  const concurrency = pick('concurrency', 10, (n, v) => checkInt(n, v, 1, 1000));
  const defaultQueue = pick('defaultQueue', 'default', (n, v) => checkName(n, v));
  const { queues, queueSlots } = resolveQueues(o.queues, defaultQueue);
  const leaseMs = pick('leaseMs', 30_000, (n, v) => checkInt(n, v, 1000, MAX_MS));
  const leaseRenewIntervalMs = pick('leaseRenewIntervalMs', Math.floor(leaseMs / 3), (n, v) => checkInt(n, v, 100, MAX_MS));
  if (leaseRenewIntervalMs >= leaseMs) {
    throw new InvalidOptionError('leaseRenewIntervalMs', `an integer below leaseMs (${leaseMs})`, leaseRenewIntervalMs);
  }
  const tablePrefix = pick('tablePrefix', 'async_runner_', (n, v) => {
    if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(v)) {
      throw new InvalidOptionError(n, 'a SQL identifier prefix: letters, digits and _, starting with a letter or _, at most 41 characters', v);
    }
    return v;
  });
  return {
    concurrency: queueSlots ? Object.values(queueSlots).reduce((a, b) => a + b, 0) : concurrency,
    prefetch: pick('prefetch', 0, (n, v) => checkInt(n, v, 0, 10_000)),
    queueSlots,
    queues,
    defaultQueue,
    pollIntervalMs: pick('pollIntervalMs', 1000, (n, v) => checkInt(n, v, 10, MAX_MS)),
    maxAttempts: pick('maxAttempts', 3, (n, v) => checkInt(n, v, 1, 1000)),
    backoff: resolveBackoff('backoff', o.backoff, DEFAULT_BACKOFF),
    autoStart: pick('autoStart', true, checkBoolean),
    stopWhenEmpty: pick('stopWhenEmpty', false, checkBoolean),
    shutdownTimeoutMs: pick('shutdownTimeoutMs', 30_000, (n, v) => checkInt(n, v, 0, MAX_MS)),
    tablePrefix,
    allowUnknownTasks: pick('allowUnknownTasks', false, checkBoolean),
    leaseMs,
    leaseRenewIntervalMs,
    sweepIntervalMs: pick('sweepIntervalMs', 15_000, (n, v) => checkInt(n, v, 100, MAX_MS)),
    maxPayloadBytes: pick('maxPayloadBytes', 65_535, (n, v) => checkInt(n, v, 16, 16 * 1024 * 1024)),
    workerId: pick('workerId', `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`, (n, v) => checkString(n, v, 128)),
    retention: resolveRetention(o.retention),
  };
}

function resolveQueues(value: unknown, defaultQueue: string): { queues: string[]; queueSlots: Record<string, number> | null } {
  if (value === undefined) return { queues: [defaultQueue], queueSlots: null };
  const expected = 'a non-empty list of queue names, or an object of queue name to slots';
  if (Array.isArray(value)) {
    if (value.length === 0) throw new InvalidOptionError('queues', expected, value);
    const queues = value.map((q, i) => checkName(`queues[${i}]`, q));
    return { queues: [...new Set(queues)], queueSlots: null };
  }
  if (value === null || typeof value !== 'object') throw new InvalidOptionError('queues', expected, value);
  const entries = Object.entries(value);
  if (entries.length === 0) throw new InvalidOptionError('queues', expected, value);
  const queueSlots: Record<string, number> = {};
  for (const [name, slots] of entries) {
    checkName(`queues.${name}`, name);
    queueSlots[name] = checkInt(`queues.${name}`, slots, 1, 1000);
  }
  return { queues: Object.keys(queueSlots), queueSlots };
}
