import { TASK_HANDLER_METADATA } from '../async-runner.constants.js';
import type { TaskDefinition } from './task-definition.js';
import type { TaskHandlerOptions } from './task-handler-options.js';

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
export function TaskHandler(definition: TaskDefinition<any, any>, options?: TaskHandlerOptions): MethodDecorator;
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
