// A child process for multi-process tests: one Nest app on the parent's database, driven
// over IPC. Roles: `runner` runs tasks; `enqueue-unique` and `cron-slots` race inserts.
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { CronScheduler, TaskHandler, type TaskContext } from '../../lib/index.js';
import { ormOptions, type DbKind, type TestDatabase } from '../helpers/databases.js';
import { createTestApp } from '../helpers/test-app.js';

type Message = { type: string; [key: string]: unknown };
const send = (msg: Message) => process.send!(msg);
/** Handlers of `child-fails-when-told` waiting for the parent's `fail` message, by task id. */
const failWaiters = new Map<number, () => void>();

@Injectable()
class ChildHandlers {
  @TaskHandler('child-cancellable', { maxAttempts: 3 })
  async cancellable(_payload: unknown, ctx: TaskContext) {
    send({ type: 'started', id: ctx.taskId, attempt: ctx.attempt });
    await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
  }

  /** Ignores its signal; throws once the parent sends `{ type: 'fail', id }`. */
  @TaskHandler('child-fails-when-told', { maxAttempts: 3 })
  async failsWhenTold(_payload: unknown, ctx: TaskContext) {
    const told = new Promise<void>((resolve) => failWaiters.set(ctx.taskId, resolve));
    send({ type: 'started', id: ctx.taskId, attempt: ctx.attempt });
    await told;
    throw new Error('failed on request');
  }

  @TaskHandler('child-echo')
  echo(payload: unknown) {
    return { echoed: payload, pid: process.pid };
  }

  @TaskHandler('unique-job')
  unique() {}

  @TaskHandler('hourly-berlin', { cron: '0 * * * *', timezone: 'Europe/Berlin' })
  hourly() {}
}

const kind = process.env.TEST_DB_KIND as DbKind;
const name = process.env.TEST_DB_NAME!;
const role = process.env.WORKER_ROLE!;
const db: TestDatabase = { kind, orm: ormOptions(kind, name), env: {}, drop: async () => {} };
const t = await createTestApp({
  db,
  createSchema: false,
  providers: [ChildHandlers],
  runner:
    role === 'runner'
      ? {
          autoStart: true,
          leaseMs: Number(process.env.WORKER_LEASE_MS ?? 1000),
          leaseRenewIntervalMs: Number(process.env.WORKER_RENEW_MS ?? 100),
          pollIntervalMs: 50,
          workerId: `child-${process.pid}`,
        }
      : {},
});

process.on('message', (msg: Message) => {
  void (async () => {
    try {
      if (msg.type === 'fail') {
        failWaiters.get(msg.id as number)?.();
      } else if (msg.type === 'stop') {
        await t.close();
        process.disconnect();
      } else if (msg.type === 'enqueue-unique') {
        const tasks = await Promise.all(
          Array.from({ length: msg.count as number }, () => t.queue.enqueue('unique-job', {}, { uniqueKey: msg.key as string })),
        );
        send({ type: 'ids', ids: tasks.map((x) => x.id) });
      } else if (msg.type === 'cron-slots') {
        const scheduler = t.app.get(CronScheduler);
        const results = await Promise.all((msg.slots as string[]).map((s) => scheduler.enqueueSlot('hourly-berlin', new Date(s))));
        send({ type: 'results', ids: results.map((r) => r?.id ?? null) });
      }
    } catch (error) {
      send({ type: 'error', message: String(error) });
    }
  })();
});
send({ type: 'ready', role });
