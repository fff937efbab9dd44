import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { InvalidOptionError } from '../errors/invalid-option.error.js';
import { scanDecoratedMethods } from '../handlers/scan-decorated-methods.js';
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
    scanDecoratedMethods<TaskEventType[]>(this.discovery, this.scanner, ON_TASK_EVENT_METADATA, '@OnTaskEvent listeners', this.logger, ({ meta: types, owner, fn }) => {
      for (const type of types) {
        if (!TASK_EVENT_TYPES.includes(type)) throw new InvalidOptionError(`@OnTaskEvent() on ${owner}`, `event types among ${TASK_EVENT_TYPES.join(', ')}`, type);
      }
      this.events.subscribe(types.length ? types : TASK_EVENT_TYPES, fn as (e: TaskEvent) => unknown);
    });
  }
}
