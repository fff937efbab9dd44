import { type DynamicModule, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ASYNC_RUNNER_ENTITIES, AsyncRunnerModule } from 'nest-async-runner';
import { PrintItemHandler } from './items/print-item.handler.js';
import type { SampleOptions } from './sample-options.js';
import { PlayCountHandler } from './tracks/play-count.handler.js';
import { TrackSchema } from './tracks/track.entity.js';

/**
 * The sample application: MikroORM with the runner's entities next to the app's own, the
 * runner, and the handlers. Entry files (`main.ts`, a worker) differ only in the options
 * they pass and what they do with the app.
 */
@Module({})
export class SampleAppModule {
  static forRoot(options: SampleOptions): DynamicModule {
    return {
      module: SampleAppModule,
      imports: [
        MikroOrmModule.forRoot({
          ...options.orm,
          entities: [...ASYNC_RUNNER_ENTITIES, TrackSchema],
          // No HTTP requests here: handlers get their own EntityManager through ctx.em.
          registerRequestContext: false,
        }),
        MikroOrmModule.forFeature([...ASYNC_RUNNER_ENTITIES, TrackSchema]),
        AsyncRunnerModule.forRoot(options.runner),
      ],
      providers: [PrintItemHandler, PlayCountHandler],
    };
  }
}
