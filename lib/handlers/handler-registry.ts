import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../async-runner.constants.js';
import { DuplicateHandlerError } from '../errors/duplicate-handler.error.js';
import type { ResolvedAsyncRunnerOptions } from '../options/async-runner-options.js';
import type { ResolvedBackoff } from '../options/backoff-options.js';
import { resolveBackoff } from '../options/validate-backoff.js';
import { checkInt, checkKnownKeys, checkName, checkObject } from '../options/validators.js';
import { checkCron } from '../schedule/check-cron.js';
import type { TaskContext } from './task-context.js';
import type { TaskHandlerOptions } from './task-handler-options.js';

/** A discovered handler with its options resolved against the module defaults. */
export interface RegisteredHandler {
  readonly name: string;
  readonly queue: string;
  readonly maxAttempts: number;
  readonly backoff: ResolvedBackoff;
  readonly timeoutMs: number | null;
  /** Cron expression, when the handler is scheduled. */
  readonly cron: string | null;
  /** Time zone of `cron`; null = UTC. */
  readonly timezone: string | null;
  /** `ProviderClass.method`, for error messages and logs. */
  readonly owner: string;
  readonly run: (payload: unknown, ctx: TaskContext) => unknown;
}

const HANDLER_KEYS: readonly (keyof TaskHandlerOptions)[] = ['maxAttempts', 'backoff', 'queue', 'timeoutMs', 'cron', 'timezone'];

/** Task name → handler. Filled once at bootstrap by the explorer; read by the queue and the worker. */
@Injectable()
export class HandlerRegistry {
  private readonly handlers = new Map<string, RegisteredHandler>();
  private scanned = false;

  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedAsyncRunnerOptions) {}

  /** Validates the handler's options and adds it; a second handler for one name is an error naming both. */
  register(name: unknown, options: TaskHandlerOptions, owner: string, run: RegisteredHandler['run']): RegisteredHandler {
    const label = `@TaskHandler(${JSON.stringify(name)})`;
    const taskName = checkName(`${label} name`, name, 191);
    const existing = this.handlers.get(taskName);
    if (existing) throw new DuplicateHandlerError(taskName, existing.owner, owner);
    const o = checkObject(`${label} options`, options ?? {}) as TaskHandlerOptions;
    checkKnownKeys(label, o as Record<string, unknown>, HANDLER_KEYS);
    const { cron, timezone } = checkCron(label, o.cron, o.timezone);
    const handler: RegisteredHandler = {
      name: taskName,
      queue: o.queue === undefined ? this.options.defaultQueue : checkName(`${label}.queue`, o.queue),
      maxAttempts: o.maxAttempts === undefined ? this.options.maxAttempts : checkInt(`${label}.maxAttempts`, o.maxAttempts, 1, 1000),
      backoff: resolveBackoff(`${label}.backoff`, o.backoff, this.options.backoff),
      timeoutMs: o.timeoutMs === undefined ? null : checkInt(`${label}.timeoutMs`, o.timeoutMs, 1, 2_147_483_647),
      cron,
      timezone,
      owner,
      run,
    };
    this.handlers.set(taskName, handler);
    return handler;
  }

  get(name: string): RegisteredHandler | undefined {
    return this.handlers.get(name);
  }


  /** Every registered name, sorted. */
  names(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** True once the explorer has scanned the app's providers (after module init). */
  get discovered(): boolean {
    return this.scanned;
  }

  /** Called by the explorer when discovery is complete. */
  markDiscovered(): void {
    this.scanned = true;
  }

  get size(): number {
    return this.handlers.size;
  }
}
