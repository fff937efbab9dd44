import { TASK_HANDLER_METADATA } from '../async-runner.constants.js';
import type { TaskContext } from './task-context.js';
import type { TaskDefinition } from './task-definition.js';
import type { TaskHandlerOptions } from './task-handler-options.js';

/** A method decorator that only accepts `(payload: P, ctx) => R | Promise<R>` methods. */
export type TypedHandlerDecorator<P, R> = <M extends (payload: P, ctx: TaskContext) => R | Promise<R>>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => TypedPropertyDescriptor<M> | void;

/** What `@TaskHandler` stores on the method. */
export interface TaskHandlerMetadata {
  name: string;
  options: TaskHandlerOptions;
}

/**
 * Marks a provider method as the handler of a task name. The method is called as
 * `(payload, ctx)` with the task's JSON payload and a {@link TaskContext}; its return value
 * (JSON) is stored as the task's result, and a throw schedules a retry.
 *
 * @example
 * @TaskHandler('send-email', { maxAttempts: 5 })
 * async send(payload: { to: string }, ctx: TaskContext) { ... }
 */
export function TaskHandler(name: string, options?: TaskHandlerOptions): MethodDecorator;
/**
 * With a {@link defineTask} definition the method's signature is checked at compile time: its
 * payload parameter must accept the definition's payload type and it must return its result
 * type (or a promise of it).
 */
export function TaskHandler<P, R>(definition: TaskDefinition<P, R>, options?: TaskHandlerOptions): TypedHandlerDecorator<P, R>;
export function TaskHandler(nameOrDef: string | TaskDefinition<any, any>, options: TaskHandlerOptions = {}): MethodDecorator {
  const meta: TaskHandlerMetadata =
    typeof nameOrDef === 'string'
      ? { name: nameOrDef, options }
      : { name: nameOrDef?.name, options: { ...nameOrDef?.options, ...options } };
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(TASK_HANDLER_METADATA, meta, descriptor.value as object);
    return descriptor;
  };
}
