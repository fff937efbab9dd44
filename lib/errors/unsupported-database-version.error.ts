import { AsyncRunnerError } from './async-runner.error.js';

/** Thrown at startup when the database server is too old for the runner's SQL (FOR UPDATE SKIP LOCKED). */
export class UnsupportedDatabaseVersionError extends AsyncRunnerError {
  constructor(readonly server: string, readonly version: string, readonly minimum: string) {
    super(`nest-async-runner needs ${server} ${minimum} or newer (for FOR UPDATE SKIP LOCKED); this server is ${version}.`);
  }
}
