import type { MikroORM } from '@mikro-orm/core';
import type { LoggerService } from '@nestjs/common';
import type { Dialect } from '../dialects/dialect.js';
import { sqliteTransaction } from '../dialects/sql-executor.js';
import type { ClaimedTask, Outcome } from '../dialects/task-row.js';
import { parseJson } from '../dialects/row-values.js';
import { LeaseLostError } from '../errors/lease-lost.error.js';
import { ShutdownError } from '../errors/shutdown.error.js';
import { TaskCancelledError } from '../errors/task-cancelled.error.js';
import { TaskTimeoutError } from '../errors/task-timeout.error.js';
import type { RegisteredHandler } from '../handlers/handler-registry.js';
import type { TaskContext } from '../handlers/task-context.js';
import { serializeJson } from '../queue/serialize-json.js';
import { retryDelayMs } from './backoff.js';

/** What one attempt needs from its runner. */
export interface AttemptDeps {
  orm: MikroORM;
  dialect: Dialect;
  workerId: string;
  maxPayloadBytes: number;
  logger: LoggerService;
}

const MAX_ERROR_CHARS = 8000;
const NEVER = Symbol('never');

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** How the runner steers one attempt. */
export interface AttemptControl {
  /** Its abort is the handler's `ctx.signal`: timeout, cancel, lost lease or shutdown. */
  controller: AbortController;
  /**
   * Set when the runner gives the attempt up at the end of a stop; its `ctx.progress()` then
   * writes nothing more.
   */
  abandoned?: boolean;
  /**
   * Set when this attempt no longer holds the task (a renewal found the lease gone, or this
   * worker claimed the task again): nothing of it is written, whatever its signal says.
   */
  leaseLost?: boolean;
  /** The handler keeps running past a timeout or cancel: the runner then frees its slot. */
  onIgnoredAbort(): void;
  /**
   * Set by runAttempt while it waits; the runner calls it on abandoning the attempt so the
   * attempt's timers, which would outlive the app, are cleared at once.
   */
  clearTimers?: () => void;
}

/**
 * Marks an attempt as no longer holding its task (nothing of it will be written) and tells its
 * handler, unless its signal already fired for another reason.
 */
export function loseLease(attempt: { readonly controller: AbortController; leaseLost?: boolean }, workerId: string): void {
  attempt.leaseLost = true;
  if (!attempt.controller.signal.aborted) attempt.controller.abort(new LeaseLostError(workerId));
}

/**
 * Runs one claimed attempt and returns the outcome to write, or null when nothing may be
 * written (the lease was lost). The returned promise settles only when the handler has
 * settled, so a task's next attempt never overlaps this one.
 */
export async function runAttempt(task: ClaimedTask, handler: RegisteredHandler, control: AttemptControl, deps: AttemptDeps): Promise<Outcome | null> {
  const { controller } = control;
  const timeoutMs = task.timeoutMs ?? handler.timeoutMs;
  const timer = timeoutMs ? setTimeout(() => controller.abort(new TaskTimeoutError(timeoutMs)), timeoutMs) : undefined;
  const settled = runHandler(task, handler, control, deps);
  // One promise settled by whichever comes first, and the abort listener removed afterwards:
  // a race against a promise that never settles left a listener and two promises per task.
  let onAbort: (() => void) | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  let endGrace: (() => void) | undefined;
  control.clearTimers = () => {
    clearTimeout(timer);
    clearTimeout(graceTimer);
    endGrace?.();
  };
  try {
    let first = await new Promise<Settled | typeof NEVER>((resolve) => {
      onAbort = () => resolve(NEVER);
      controller.signal.addEventListener('abort', onAbort, { once: true });
      void settled.then(resolve);
    });
    // At shutdown the runner's stop() bounds the wait and abandons a handler that ignores it;
    // a timer or warning of our own here would outlive the app.
    if (first === NEVER && controller.signal.reason instanceof ShutdownError) first = await settled;
    if (first === NEVER && !control.abandoned) {
      const grace = Math.min(timeoutMs ?? 5000, 5000);
      first = await Promise.race([
        settled,
        new Promise<typeof NEVER>((r) => {
          endGrace = () => r(NEVER);
          graceTimer = setTimeout(endGrace, grace);
        }),
      ]);
      clearTimeout(graceTimer);
      if (first === NEVER && !control.abandoned) {
        deps.logger.warn(
          `Task ${task.id} (${task.name}) ignored cancellation (${describe(controller.signal.reason)}) for ${grace} ms; ` +
            'its slot is freed and its lease is kept until the handler settles, so it is not run again meanwhile.',
        );
        control.onIgnoredAbort();
      }
    }
    if (first === NEVER) first = await settled;
    return control.leaseLost ? null : toOutcome(task, handler, first, controller.signal, deps);
  } finally {
    clearTimeout(timer);
    controller.signal.removeEventListener('abort', onAbort!);
    control.clearTimers = undefined;
  }
}

function runHandler(task: ClaimedTask, handler: RegisteredHandler, control: AttemptControl, deps: AttemptDeps): Promise<Settled> {
  const { signal } = control.controller;
  let em: TaskContext['em'] | undefined;
  const ctx: TaskContext = {
    taskId: task.id,
    taskName: task.name,
    queue: task.queue,
    attempt: task.attempts,
    maxAttempts: task.maxAttempts,
    // Forked on first use: most handlers of a busy queue never touch it, and a fork per task
    // was a visible share of the runner's CPU.
    get em() {
      return (em ??= deps.orm.em.fork({ clear: true }));
    },
    signal,
    progress: async (value: unknown) => {
      // The database fences writes on worker and attempt, but a retry() resets attempts, so a
      // stale attempt in this very process could pass that fence: refuse here as well.
      if (control.leaseLost || signal.reason instanceof LeaseLostError) throw new LeaseLostError(deps.workerId);
      if (control.abandoned) throw signal.reason;
      return deps.dialect.setProgress(deps.workerId, { id: task.id, attempt: task.attempts }, serializeJson(value, deps.maxPayloadBytes, 'progress'), sqliteTransaction(deps.dialect));
    },
    logger: deps.logger,
  };
  return Promise.resolve()
    .then(() => handler.run(parseJson(task.payload), ctx))
    .then(
      (value): Settled => ({ ok: true, value }),
      (error: unknown): Settled => ({ ok: false, error }),
    );
}

function toOutcome(task: ClaimedTask, handler: RegisteredHandler, settled: Settled, signal: AbortSignal, deps: AttemptDeps): Outcome | null {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof LeaseLostError) return null;
  if (settled.ok && !(reason instanceof TaskTimeoutError)) {
    if (reason instanceof TaskCancelledError) return { kind: 'cancelled', id: task.id, attempt: task.attempts, error: reason.message };
    try {
      const result = settled.value === undefined ? null : serializeJson(settled.value, deps.maxPayloadBytes, 'result');
      return { kind: 'succeeded', id: task.id, attempt: task.attempts, result };
    } catch (error) {
      return failure(task, handler, error);
    }
  }
  if (reason instanceof TaskCancelledError) return { kind: 'cancelled', id: task.id, attempt: task.attempts, error: reason.message };
  // Cut short by a shutdown, not failed by its handler: back to pending at once with the
  // ShutdownError recorded, whatever attempts remain, so a deploy never fails a task for good.
  if (reason instanceof ShutdownError) return { kind: 'retry', id: task.id, attempt: task.attempts, error: formatError(reason), delayMs: 0 };
  return failure(task, handler, reason instanceof TaskTimeoutError ? reason : (settled as { error: unknown }).error);
}

/**
 * Outcome of a claimed task whose name has no handler in this process. The claim asks only for
 * names registered here, so this takes a table that matches names loosely (a MySQL/MariaDB
 * column still on a case-insensitive collation: `ECHO` claimed for `echo`). Retried without
 * limit, such a task was claimed again every poll, its attempts climbing past maxAttempts.
 */
export function noHandlerOutcome(task: ClaimedTask, delayMs: number): Outcome {
  const error = `No handler for "${task.name}" in this process.`;
  if (task.attempts >= task.maxAttempts) return { kind: 'failed', id: task.id, attempt: task.attempts, error };
  return { kind: 'retry', id: task.id, attempt: task.attempts, error, delayMs };
}

function failure(task: ClaimedTask, handler: RegisteredHandler, error: unknown): Outcome {
  const text = formatError(error);
  if (task.attempts >= task.maxAttempts) return { kind: 'failed', id: task.id, attempt: task.attempts, error: text };
  return { kind: 'retry', id: task.id, attempt: task.attempts, error: text, delayMs: retryDelayMs(handler.backoff, task.attempts) };
}

/**
 * Message and stack, bounded so a huge error cannot bloat the row, and without NUL characters,
 * which PostgreSQL refuses in text. Never throws: an error whose `stack` getter or `toString`
 * throws still gets a recorded failure.
 */
export function formatError(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? (error.stack?.includes(error.message) ? error.stack : `${error.name}: ${error.message}\n${error.stack ?? ''}`) : `Non-error thrown: ${describe(error)}`;
  } catch {
    text = `Unprintable ${error instanceof Error ? 'error' : 'value'} thrown (reading its message or stack threw)`;
  }
  text = text.replace(/\u0000/g, '\\0');
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}… (truncated)` : text;
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
