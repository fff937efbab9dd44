import 'reflect-metadata';
import type { INestApplicationContext, LoggerService, Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MikroORM, type Options } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AsyncRunnerModule, AsyncRunnerService, TaskQueue, type AsyncRunnerOptions } from '../../lib/index.js';
import { createTestDatabase, type DbKind, type TestDatabase, runnerEntities } from './databases.js';

/** A Nest app with the runner on a fresh database, and the handles tests use. */
export interface TestApp {
  app: INestApplicationContext;
  db: TestDatabase;
  orm: MikroORM;
  queue: TaskQueue;
  runner: AsyncRunnerService;
  /** Closes the app (stopping the runner) and drops the database. */
  close(): Promise<void>;
}

export interface TestAppOptions {
  kind?: DbKind;
  /** Reuse an existing database instead of creating one (e.g. a second app on one file). */
  db?: TestDatabase;
  providers?: Provider[];
  runner?: AsyncRunnerOptions;
  /** Extra ORM options (entities are always the runner's plus these). */
  orm?: Partial<Options>;
  entities?: unknown[];
  /** The runner's schemas with or without partial indexes (default: as the database supports). */
  partialIndexes?: boolean;
  /** `asyncRunnerEntities({ collation })` of the MySQL/MariaDB schemas; null: none, as earlier versions had (see `runnerEntities`). */
  collation?: string | null;
  /** Create the schema (default true; false when reusing a database that has it). */
  createSchema?: boolean;
  /** Receives the app's log lines (see `captureLogs`); silent by default unless TEST_LOGS is set. */
  logger?: LoggerService;
}

/** Builds, initialises and (unless `runner.autoStart` is true) leaves the runner stopped. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase(options.kind ?? 'sqlite'));
  const moduleRef = await Test.createTestingModule({
    imports: [
      MikroOrmModule.forRoot({ ...db.orm, ...options.orm, entities: [...runnerEntities(db.kind, { partialIndexes: options.partialIndexes, collation: options.collation }), ...((options.entities ?? []) as never[])], allowGlobalContext: false } as never),
      AsyncRunnerModule.forRoot({ autoStart: false, pollIntervalMs: 50, ...options.runner }),
    ],
    providers: options.providers ?? [],
  })
    .setLogger(options.logger ?? (process.env.TEST_LOGS ? console : { log() {}, error() {}, warn() {}, debug() {}, verbose() {}, fatal() {} }))
    .compile();
  const orm = moduleRef.get(MikroORM) as MikroORM;
  try {
    if (options.createSchema !== false) await orm.schema.create();
    await moduleRef.init();
  } catch (error) {
    // A startup error must not leave the ORM's pool open: it would keep the test process alive.
    await moduleRef.close().catch(() => undefined);
    await orm.close(true).catch(() => undefined);
    if (!options.db) await db.drop();
    throw error;
  }
  const ownsDb = !options.db;
  return {
    app: moduleRef,
    db,
    orm,
    queue: moduleRef.get(TaskQueue),
    runner: moduleRef.get(AsyncRunnerService),
    close: async () => {
      // Seen rarely on PostgreSQL: the ORM's pool.end() waits forever for a pooled client that
      // was checked out and never used (no statement ever reached the server), so close() never
      // resolves. The runner has stopped by then; bound the wait, say so, and drop the database
      // (FORCE ends that connection) rather than hang the suite. Tracked as a known issue.
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        moduleRef.close().then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 20_000))),
      ]);
      clearTimeout(timer);
      if (!closed) process.stderr.write(`warning: closing the ${db.kind} test app timed out after 20 s (ORM pool did not end)\n`);
      if (ownsDb) await db.drop();
    },
  };
}
