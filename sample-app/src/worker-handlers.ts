import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { TaskHandler, type TaskContext } from 'nest-async-runner';

/**
 * A handler the worker can run on its own, so `npm run worker` works on an empty database;
 * a real worker lists the app's handler providers instead.
 */
@Injectable()
export class WorkerDemoHandlers {
  /** Waits `ms` (default 100), then reports which worker ran it. */
  @TaskHandler('sample.sleep')
  async sleep(payload: { ms?: number } | null, ctx: TaskContext) {
    await sleep(payload?.ms ?? 100, undefined, { signal: ctx.signal });
    return { ranOn: process.pid, attempt: ctx.attempt };
  }
}
