// nest-async-runner, consumed from the repository's compiled build (npm run build).
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EntitySchema, MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
// BENCH_OURS_DIST points at another build (e.g. a copy of dist/ from before a change) for A/B runs.
const { ASYNC_RUNNER_ENTITIES, AsyncRunnerModule, AsyncRunnerService, TaskHandler, TaskQueue } = await import(
  process.env.BENCH_OURS_DIST ? new URL(`file://${process.env.BENCH_OURS_DIST}/lib/index.js`).href : '../../dist/lib/index.js'
);

class BenchWrite {}
const BenchWriteSchema = new EntitySchema({
  class: BenchWrite,
  tableName: 'bench_write',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    n: { type: 'integer' },
    at: { type: 'datetime' },
  },
});

let onTask = () => {};
let realistic = false;

class BenchHandlers {
  async run(payload, ctx) {
    if (realistic) {
      ctx.em.create(BenchWrite, { n: payload.i, at: new Date() });
      await ctx.em.flush();
    }
    onTask(payload);
  }
}
Injectable()(BenchHandlers);
TaskHandler('bench', { maxAttempts: 1 })(BenchHandlers.prototype, 'run', Object.getOwnPropertyDescriptor(BenchHandlers.prototype, 'run'));

async function driverOptions(kind, location) {
  if (kind === 'sqlite') {
    const { SqliteDriver } = await import('@mikro-orm/sqlite');
    return { driver: SqliteDriver, dbName: location };
  }
  const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
  return { driver: PostgreSqlDriver, clientUrl: location };
}

export async function open({ kind, location, concurrency, realistic: isRealistic, prefetch = 500 }) {
  realistic = isRealistic;
  class BenchModule {}
  Module({
    imports: [
      MikroOrmModule.forRoot({ ...(await driverOptions(kind, location)), entities: [...ASYNC_RUNNER_ENTITIES, BenchWriteSchema], allowGlobalContext: false }),
      // prefetch 500 claims ahead as graphile-worker's local queue (size 500) does; see the README's
      // `prefetch` option for what it trades. The 'ours-p0' system runs with prefetch 0.
      AsyncRunnerModule.forRoot({ concurrency, ...(prefetch ? { prefetch } : {}), autoStart: false }),
    ],
    providers: [BenchHandlers],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false, abortOnError: false });
  const orm = app.get(MikroORM);
  const queue = app.get(TaskQueue);
  const runner = app.get(AsyncRunnerService);
  return {
    setup: () => orm.schema.create(),
    enqueueMany: (payloads) => queue.enqueueMany(payloads.map((payload) => ({ name: 'bench', payload }))),
    enqueueOne: (payload) => queue.enqueue('bench', payload),
    start: async (fn) => {
      onTask = fn;
      await runner.start();
    },
    stop: () => runner.stop(),
    doneCount: async () => {
      const rows = await orm.em.getConnection().execute("select count(*) as c from async_runner_task where status = 'succeeded'");
      return Number(rows[0].c);
    },
    close: () => app.close(),
  };
}
