import 'reflect-metadata';
import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { MikroORM } from '@mikro-orm/core';
import { AsyncRunnerModule } from '../../lib/index.js';
import { createTestDatabase, type DbKind, runnerEntities } from './databases.js';

@Global()
@Module({})
class OrmHolder {}

const silent = { log() {}, error() {}, warn() {}, debug() {}, verbose() {}, fatal() {} };

/**
 * Boots an app that is expected to fail at startup and returns the error (or null when it
 * booted). The ORM is created here, not through a Nest module, so it is closed even when Nest
 * never finishes compiling; the module is closed too, and the database dropped.
 */
export async function startupError(
  kind: DbKind,
  runner: DynamicModule | ((m: typeof AsyncRunnerModule) => DynamicModule),
  providers: Provider[] = [],
  entities: unknown[] = runnerEntities(kind),
): Promise<unknown> {
  const db = await createTestDatabase(kind);
  const orm = await MikroORM.init({ ...db.orm, entities, allowGlobalContext: false } as never);
  let moduleRef: TestingModule | undefined;
  try {
    moduleRef = await Test.createTestingModule({
      imports: [
        { module: OrmHolder, providers: [{ provide: MikroORM, useValue: orm }], exports: [MikroORM] },
        typeof runner === 'function' ? runner(AsyncRunnerModule) : runner,
      ],
      providers,
    })
      .setLogger(process.env.TEST_LOGS ? console : silent)
      .compile();
    await moduleRef.init();
    return null;
  } catch (error) {
    return error;
  } finally {
    await moduleRef?.close();
    await orm.close(true);
    await db.drop();
  }
}
