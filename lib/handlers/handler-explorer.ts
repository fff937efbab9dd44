import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { TASK_HANDLER_METADATA } from '../async-runner.constants.js';
import { HandlerRegistry } from './handler-registry.js';
import type { TaskHandlerMetadata } from './task-handler.decorator.js';

/**
 * Finds `@TaskHandler` methods on every provider at module init and registers them, bound
 * to their instance. Request-scoped providers cannot handle tasks (there is no request), so
 * they are skipped with a warning rather than silently.
 */
@Injectable()
export class HandlerExplorer implements OnModuleInit {
  private readonly logger = new Logger('AsyncRunner');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly registry: HandlerRegistry,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const proto = Object.getPrototypeOf(instance) as object | null;
      if (!proto) continue;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const meta = Reflect.getMetadata(TASK_HANDLER_METADATA, fn) as TaskHandlerMetadata | undefined;
        if (!meta) continue;
        const owner = `${instance.constructor?.name ?? 'provider'}.${method}`;
        if (!wrapper.isDependencyTreeStatic()) {
          this.logger.warn(`${owner} is request- or transient-scoped; task handlers must be singletons. Skipped.`);
          continue;
        }
        this.registry.register(meta.name, meta.options, owner, (fn as (...a: unknown[]) => unknown).bind(instance));
      }
    }
    this.logger.log(`Registered ${this.registry.size} task handler(s): ${this.registry.names().join(', ') || '(none)'}`);
  }
}
