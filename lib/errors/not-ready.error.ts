import { AsyncRunnerError } from './async-runner.error.js';

/** Thrown by `enqueue` when called before the app initialised, so no `@TaskHandler` has been discovered yet. */
export class NotReadyError extends AsyncRunnerError {
  constructor() {
    super(
      'TaskQueue was used before the application finished initialising: @TaskHandler methods are discovered in onModuleInit. ' +
        'Call app.init() (NestFactory does) before enqueueing, or enqueue from onApplicationBootstrap or later.',
    );
  }
}
