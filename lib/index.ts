// Public API of nest-async-runner. Anything not exported here is internal.
export { AsyncRunnerModule } from './async-runner.module.js';
export { POLL_INTERVAL_NAME } from './async-runner.constants.js';
export type { AsyncRunnerOptions, ResolvedAsyncRunnerOptions } from './options/async-runner-options.js';
export type { BackoffOptions } from './options/backoff-options.js';
export { DEFAULT_BACKOFF } from './options/backoff-options.js';
export { resolveOptions } from './options/resolve-options.js';
export * from './entities/index.js';
export * from './errors/index.js';
export { TaskHandler, type TaskHandlerMetadata } from './handlers/task-handler.decorator.js';
export type { TaskHandlerOptions } from './handlers/task-handler-options.js';
export type { TaskContext } from './handlers/task-context.js';
export { defineTask, type TaskDefinition, type PayloadOf, type ResultOf } from './handlers/task-definition.js';
export { HandlerRegistry, type RegisteredHandler } from './handlers/handler-registry.js';
export { TaskQueue } from './queue/task-queue.js';
export type { EnqueueItem, EnqueueOptions } from './queue/enqueue-options.js';
export { AsyncRunnerService } from './worker/async-runner.service.js';
export type { RunCounts, RunnerStatus } from './worker/runner-status.js';
export { retryDelayMs } from './worker/backoff.js';
