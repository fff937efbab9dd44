import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { InvalidOptionError } from '../errors/invalid-option.error.js';
import { ON_TASK_EVENT_METADATA } from './on-task-event.decorator.js';
import { TASK_EVENT_TYPES, type TaskEvent, type TaskEventType } from './task-event.js';
import { TaskEvents } from './task-events.js';

/** Subscribes every `@OnTaskEvent` method of singleton providers to {@link TaskEvents}. */
@Injectable()
export class TaskEventExplorer implements OnModuleInit {
  private readonly logger = new Logger('AsyncRunner');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly events: TaskEvents,
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
        const types = Reflect.getMetadata(ON_TASK_EVENT_METADATA, fn) as TaskEventType[] | undefined;
        if (!types) continue;
        const owner = `${instance.constructor?.name ?? 'provider'}.${method}`;
        if (!wrapper.isDependencyTreeStatic()) {
          this.logger.warn(`${owner} is request- or transient-scoped; @OnTaskEvent listeners must be singletons. Skipped.`);
          continue;
        }
        for (const type of types) {
          if (!TASK_EVENT_TYPES.includes(type)) throw new InvalidOptionError(`@OnTaskEvent() on ${owner}`, `event types among ${TASK_EVENT_TYPES.join(', ')}`, type);
        }
        const bound = (fn as (e: TaskEvent) => unknown).bind(instance);
        this.events.subscribe(types.length ? types : TASK_EVENT_TYPES, bound);
      }
    }
  }
}
