import { AsyncRunnerError } from './async-runner.error.js';

/** Thrown by `enqueue` when no `@TaskHandler` in this app handles the task name. */
export class UnknownTaskError extends AsyncRunnerError {
  constructor(
    /** The task name that has no handler. */
    readonly taskName: string,
    known: readonly string[],
  ) {
    super(
      `No @TaskHandler is registered for task "${taskName}". ` +
        (known.length ? `Known tasks: ${known.map((n) => `"${n}"`).join(', ')}. ` : 'No task handlers are registered. ') +
        'If another app handles this name, set `allowUnknownTasks: true` in AsyncRunnerModule options.',
    );
  }
}
