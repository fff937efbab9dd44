import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { RESOLVED_OPTIONS, TASK_HANDLER_METADATA } from '../async-runner.constants.js';
import type { ResolvedAsyncRunnerOptions } from '../options/async-runner-options.js';
import { HandlerRegistry } from './handler-registry.js';
import { scanDecoratedMethods } from './scan-decorated-methods.js';
import type { TaskHandlerMetadata } from './task-handler.decorator.js';

/** Finds `@TaskHandler` methods on every provider at module init and registers them, bound to their instance. */
@Injectable()
export class HandlerExplorer implements OnModuleInit {
  private readonly logger = new Logger('AsyncRunner');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly registry: HandlerRegistry,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedAsyncRunnerOptions,
  ) {}

  onModuleInit(): void {
    scanDecoratedMethods<TaskHandlerMetadata>(this.discovery, this.scanner, TASK_HANDLER_METADATA, 'task handlers', this.logger, ({ meta, owner, fn }) => {
      const handler = this.registry.register(meta.name, meta.options, owner, fn as (...a: unknown[]) => unknown);
      // Another process may serve that queue (scale-out), so this is no error; but when none
      // does, its tasks stay pending forever without a word, so say it once at startup.
      if (!this.options.queues.includes(handler.queue)) {
        this.logger.warn(
          `@TaskHandler(${JSON.stringify(handler.name)}) on ${owner} uses queue "${handler.queue}", which this runner does not serve ` +
            `(queues: ${this.options.queues.map((q) => `"${q}"`).join(', ')}); its tasks stay pending unless another process serves "${handler.queue}".`,
        );
      }
    });
    this.registry.markDiscovered();
    this.logger.log(`Registered ${this.registry.size} task handler(s): ${this.registry.names().join(', ') || '(none)'}`);
  }
}
