import type { TaskHandlerOptions } from './task-handler-options.js';

declare const PAYLOAD: unique symbol;
declare const RESULT: unique symbol;

/**
 * A typed task: its name, handler options, and (at compile time only) the payload and result
 * types. Use it in `@TaskHandler(def)` and `queue.enqueue(def, payload)`, so a wrong payload
 * shape fails to compile.
 */
export interface TaskDefinition<Payload = unknown, Result = unknown> {
  readonly name: string;
  readonly options: TaskHandlerOptions;
  /** Type carrier only; never set at run time. */
  readonly [PAYLOAD]?: Payload;
  /** Type carrier only; never set at run time. */
  readonly [RESULT]?: Result;
}

/** Payload type of a {@link TaskDefinition}. */
export type PayloadOf<D> = D extends TaskDefinition<infer P, unknown> ? P : never;
/** Result type of a {@link TaskDefinition}. */
export type ResultOf<D> = D extends TaskDefinition<unknown, infer R> ? R : never;

/**
 * Declares a typed task.
 *
 * @example
 * export const SendEmail = defineTask<{ to: string }, { messageId: string }>('send-email', { maxAttempts: 5 });
 */
export function defineTask<Payload = unknown, Result = unknown>(name: string, options: TaskHandlerOptions = {}): TaskDefinition<Payload, Result> {
  return Object.freeze({ name, options: Object.freeze({ ...options }) });
}
