/** Reflect-metadata key under which `@TaskHandler` stores its name and options. */
export const TASK_HANDLER_METADATA = 'nest-async-runner:task-handler';
/** Injection token of the resolved options (`ResolvedAsyncRunnerOptions`). */
export const RESOLVED_OPTIONS = Symbol('nest-async-runner:resolved-options');
/** Name under which the runner's poll is listed in `SchedulerRegistry`. */
export const POLL_INTERVAL_NAME = 'nest-async-runner:poll';
