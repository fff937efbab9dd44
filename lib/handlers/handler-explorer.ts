import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { TASK_HANDLER_METADATA } from '../async-runner.constants.js';
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
  ) {}

  onModuleInit(): void {
    scanDecoratedMethods<TaskHandlerMetadata>(this.discovery, this.scanner, TASK_HANDLER_METADATA, 'task handlers', this.logger, ({ meta, owner, fn }) => {
      this.registry.register(meta.name, meta.options, owner, fn as (...a: unknown[]) => unknown);
    });
    this.registry.markDiscovered();
    this.logger.log(`Registered ${this.registry.size} task handler(s): ${this.registry.names().join(', ') || '(none)'}`);
  }
}
