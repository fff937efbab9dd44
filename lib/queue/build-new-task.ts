import type { NewTask } from '../dialects/task-row.js';
import { InvalidOptionError } from '../errors/invalid-option.error.js';
import { NotReadyError } from '../errors/not-ready.error.js';
import { UnknownTaskError } from '../errors/unknown-task.error.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { ResolvedAsyncRunnerOptions } from '../options/async-runner-options.js';
import { checkInt, checkKnownKeys, checkName, checkObject, checkString, readOptions } from '../options/validators.js';
import type { EnqueueOptions } from './enqueue-options.js';
import { serializeJson } from './serialize-json.js';

const KEYS: readonly (keyof EnqueueOptions)[] = ['maxAttempts', 'runAt', 'delayMs', 'priority', 'queue', 'uniqueKey', 'timeoutMs', 'em'];
const BATCH_KEYS = KEYS.filter((k) => k !== 'em');
const NO_OPTIONS: EnqueueOptions = Object.freeze({});
const MAX_DELAY_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * Validates one enqueue call and turns it into a row to insert. Throws before anything is
 * written: unknown name, non-JSON payload, or an invalid option (named in the error).
 */
export function buildNewTask(
  name: unknown,
  payload: unknown,
  options: EnqueueOptions | undefined,
  registry: HandlerRegistry,
  config: ResolvedAsyncRunnerOptions,
  /** enqueueMany items take `em` once for the batch, not per item. */
  inBatch = false,
): NewTask {
  const taskName = checkName('name', name, 191);
  const handler = registry.get(taskName);
  if (!handler && !config.allowUnknownTasks) throw registry.discovered ? new UnknownTaskError(taskName, registry.names()) : new NotReadyError();
  const given = checkObject('options', options ?? NO_OPTIONS);
  const keys = inBatch ? BATCH_KEYS : KEYS;
  checkKnownKeys('', given, keys);
  const o = readOptions('', given, keys) as EnqueueOptions;
  if (o.runAt !== undefined && o.delayMs !== undefined) {
    throw new InvalidOptionError('runAt', 'either runAt or delayMs, not both', o.runAt);
  }
  let runAt: Date | null = null;
  if (o.runAt !== undefined) {
    if (!(o.runAt instanceof Date) || Number.isNaN(o.runAt.getTime())) throw new InvalidOptionError('runAt', 'a valid Date', o.runAt);
    if (Math.abs(o.runAt.getTime() - Date.now()) > MAX_DELAY_MS) throw new InvalidOptionError('runAt', 'a Date within 10 years of now', o.runAt);
    runAt = o.runAt;
  }
  return {
    queue: o.queue === undefined ? (handler?.queue ?? config.defaultQueue) : checkName('queue', o.queue),
    name: taskName,
    payload: serializeJson(payload, config.maxPayloadBytes),
    priority: o.priority === undefined ? 0 : checkInt('priority', o.priority, -1_000_000, 1_000_000),
    runAt,
    delayMs: o.delayMs === undefined ? 0 : checkInt('delayMs', o.delayMs, 0, MAX_DELAY_MS),
    maxAttempts: o.maxAttempts === undefined ? (handler?.maxAttempts ?? config.maxAttempts) : checkInt('maxAttempts', o.maxAttempts, 1, 1000),
    timeoutMs: o.timeoutMs === undefined ? (handler?.timeoutMs ?? null) : checkInt('timeoutMs', o.timeoutMs, 1, 2_147_483_647),
    uniqueKey: o.uniqueKey === undefined ? null : checkString('uniqueKey', o.uniqueKey, 191),
  };
}
