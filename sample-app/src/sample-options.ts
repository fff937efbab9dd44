import { fileURLToPath } from 'node:url';
import type { Options } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import type { AsyncRunnerOptions } from 'nest-async-runner';

/** `sample-app/` in the repository (this file runs compiled, from `dist/sample-app/src/`). */
export const SAMPLE_ROOT = fileURLToPath(new URL('../../../sample-app/', import.meta.url));

/** Everything an entry file (this demo, or a worker) chooses about the sample app. */
export interface SampleOptions {
  /** SQLite file the app runs on. */
  dbFile: string;
  /** MikroORM connection options; the module adds the entities. */
  orm: Partial<Options>;
  runner: AsyncRunnerOptions;
}

/**
 * Options from the environment, with defaults for `npm start`:
 * `SAMPLE_DB_FILE` (default `sample-app/data/sample.sqlite`), `SAMPLE_CONCURRENCY` (default 10).
 */
export function sampleOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, runner: AsyncRunnerOptions = {}): SampleOptions {
  const dbFile = env.SAMPLE_DB_FILE ?? `${SAMPLE_ROOT}data/sample.sqlite`;
  return {
    dbFile,
    orm: { driver: SqliteDriver, dbName: dbFile },
    runner: {
      concurrency: env.SAMPLE_CONCURRENCY === undefined ? 10 : Number(env.SAMPLE_CONCURRENCY),
      // Short retry delays so the demo's one retry shows within a second.
      backoff: { baseMs: 200, maxMs: 5000 },
      ...runner,
    },
  };
}
