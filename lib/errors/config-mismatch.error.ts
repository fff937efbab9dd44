import { AsyncRunnerError } from './async-runner.error.js';

/** Thrown at startup when the ORM's registered entities do not match the runner's configuration. */
export class ConfigMismatchError extends AsyncRunnerError {}
