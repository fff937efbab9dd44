import { type DynamicModule, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AsyncRunnerModule, asyncRunnerEntities } from 'nest-async-runner';
import type { WorkerConfig } from './worker-env.js';
import { WorkerDemoHandlers } from './worker-handlers.js';

/**
 * A worker process: the ORM, the runner (started by the entry once the schema is ready) and
 * the handlers it serves. No HTTP server.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        MikroOrmModule.forRoot({ ...config.orm, entities: asyncRunnerEntities({ partialIndexes: config.partialIndexes }), registerRequestContext: false } as never),
        AsyncRunnerModule.forRoot({ ...config.runner, autoStart: false }),
      ],
      providers: [WorkerDemoHandlers],
    };
  }
}
