import type { TaskEventType } from './task-event.js';

/** Reflect-metadata key under which `@OnTaskEvent` stores its event types. */
export const ON_TASK_EVENT_METADATA = 'nest-async-runner:on-task-event';

/**
 * Marks a provider method as a listener of task lifecycle events in this process; it is
 * discovered at startup like `@TaskHandler`. With no types it receives every event.
 *
 * @example
 * @OnTaskEvent('failed', 'cancelled')
 * onEnded(event: TaskFailedEvent | TaskCancelledEvent) { ... }
 */
export function OnTaskEvent(...types: TaskEventType[]): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(ON_TASK_EVENT_METADATA, types, descriptor.value as object);
    return descriptor;
  };
}
