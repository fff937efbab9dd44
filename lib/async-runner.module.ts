import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { RESOLVED_OPTIONS } from './async-runner.constants.js';
import { ASYNC_RUNNER_MODULE_OPTIONS, ConfigurableModuleClass } from './async-runner.module-definition.js';
import { dialectProvider } from './dialects/dialect.provider.js';
import { HandlerExplorer } from './handlers/handler-explorer.js';
import { HandlerRegistry } from './handlers/handler-registry.js';
import type { AsyncRunnerOptions } from './options/async-runner-options.js';
import { resolveOptions } from './options/resolve-options.js';
import { TaskEventExplorer } from './events/task-event-explorer.js';
import { TaskEvents } from './events/task-events.js';
import { CommitWake } from './queue/commit-wake.js';
import { TaskQueue } from './queue/task-queue.js';
import { CronScheduler } from './schedule/cron-scheduler.js';
import { CancelBus } from './worker/cancel-bus.js';
import { AsyncRunnerService } from './worker/async-runner.service.js';
import { WakeBus } from './worker/wake-bus.js';

/**
 * Background tasks in the app's own database. Import once, in the root module:
 *
 * ```ts
 * AsyncRunnerModule.forRoot({ concurrency: 5 })
 * AsyncRunnerModule.forRootAsync({ inject: [ConfigService], useFactory: (c) => ({ ... }) })
 * ```
 *
 * Needs a MikroORM instance in the container (as `@mikro-orm/nestjs` provides) whose entities
 * include `ASYNC_RUNNER_ENTITIES`. Global by default (`isGlobal: false` to scope it).
 */
@Module({
  imports: [DiscoveryModule, ScheduleModule.forRoot()],
  providers: [
    {
      provide: RESOLVED_OPTIONS,
      inject: [ASYNC_RUNNER_MODULE_OPTIONS],
      useFactory: (options: AsyncRunnerOptions) => resolveOptions(options),
    },
    dialectProvider,
    HandlerRegistry,
    HandlerExplorer,
    WakeBus,
    CancelBus,
    CommitWake,
    TaskEvents,
    TaskEventExplorer,
    CronScheduler,
    TaskQueue,
    AsyncRunnerService,
  ],
  exports: [TaskQueue, AsyncRunnerService, HandlerRegistry, TaskEvents, CronScheduler],
})
export class AsyncRunnerModule extends ConfigurableModuleClass {}
