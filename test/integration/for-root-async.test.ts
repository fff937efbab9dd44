import 'reflect-metadata';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AsyncRunnerModule, AsyncRunnerService, TaskHandler, TaskQueue, type AsyncRunnerOptions } from '../../lib/index.js';
import { createTestDatabase, type DbKind, runnerEntities } from '../helpers/databases.js';
import { eachDatabase } from '../helpers/each-database.js';
import { within } from '../helpers/wait.js';

const SETTINGS = Symbol('settings');

/** Stands in for a host's ConfigModule. */
@Module({
  providers: [{ provide: SETTINGS, useValue: { workerId: 'from-config', queues: ['cfg-a', 'cfg-b'] } }],
  exports: [SETTINGS],
})
class SettingsModule {}

@Injectable()
class OptionsFactory {
  constructor(@Inject(SETTINGS) private readonly settings: { workerId: string; queues: string[] }) {}
  createAsyncRunnerOptions(): AsyncRunnerOptions {
    return { autoStart: false, pollIntervalMs: 50, workerId: `${this.settings.workerId}:class`, queues: this.settings.queues };
  }
}

@Module({ imports: [SettingsModule], providers: [OptionsFactory], exports: [OptionsFactory] })
class FactoryModule {}

@Injectable()
class Work {
  ran: string[] = [];
  @TaskHandler('work', { queue: 'cfg-b' })
  work(payload: { tag: string }) {
    this.ran.push(payload.tag);
    return payload.tag;
  }
}

async function boot(kind: DbKind, runner: DynamicModule, expectedWorker: string): Promise<void> {
  const db = await createTestDatabase(kind);
  const moduleRef = await Test.createTestingModule({
    imports: [MikroOrmModule.forRoot({ ...db.orm, entities: [...runnerEntities(db.kind)], allowGlobalContext: false } as never), runner],
    providers: [Work],
  })
    .setLogger({ log() {}, error() {}, warn() {}, debug() {}, verbose() {}, fatal() {} })
    .compile();
  try {
    await moduleRef.get(MikroORM).schema.create();
    await moduleRef.init();
    const service = moduleRef.get(AsyncRunnerService);
    assert.equal(service.status.workerId, expectedWorker);
    assert.deepEqual(service.status.queues, ['cfg-a', 'cfg-b']);
    assert.equal(service.status.state, 'stopped', 'autoStart: false from the async options');
    const task = await moduleRef.get(TaskQueue).enqueue('work', { tag: expectedWorker });
    assert.equal(task.queue, 'cfg-b');
    assert.deepEqual(await within(service.runUntilEmpty(), 10_000, 'runUntilEmpty'), { succeeded: 1, failed: 0, retried: 0, cancelled: 0 });
    assert.deepEqual(moduleRef.get(Work).ran, [expectedWorker]);
  } finally {
    await moduleRef.close();
    await db.drop();
  }
}

eachDatabase('forRootAsync', (kind) => {
  it('useFactory with imports and inject', async () => {
    await boot(
      kind,
      AsyncRunnerModule.forRootAsync({
        imports: [SettingsModule],
        inject: [SETTINGS],
        useFactory: async (settings: { workerId: string; queues: string[] }) => ({ autoStart: false, pollIntervalMs: 50, workerId: `${settings.workerId}:factory`, queues: settings.queues }),
      }),
      'from-config:factory',
    );
  });

  it('useClass', async () => {
    await boot(kind, AsyncRunnerModule.forRootAsync({ imports: [SettingsModule], useClass: OptionsFactory }), 'from-config:class');
  });

  it('useExisting', async () => {
    await boot(kind, AsyncRunnerModule.forRootAsync({ imports: [FactoryModule], useExisting: OptionsFactory }), 'from-config:class');
  });
});
