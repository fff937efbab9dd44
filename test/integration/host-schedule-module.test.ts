import 'reflect-metadata';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { Interval, ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AsyncRunnerModule, AsyncRunnerService, POLL_INTERVAL_NAME } from '../../lib/index.js';
import { createTestDatabase, runnerEntities } from '../helpers/databases.js';
import { eachDatabase } from '../helpers/each-database.js';

@Injectable()
class HostJobs {
  @Interval('host-cleanup', 60_000)
  cleanup() {}
}

eachDatabase('with the host’s own ScheduleModule', (kind) => {
  it('the runner’s poll lists in the same SchedulerRegistry as the host’s schedules, and close removes both', async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const db = await createTestDatabase(kind);
    const moduleRef = await Test.createTestingModule({
      imports: [
        ScheduleModule.forRoot(),
        MikroOrmModule.forRoot({ ...db.orm, entities: [...runnerEntities(db.kind)], allowGlobalContext: false } as never),
        AsyncRunnerModule.forRoot({ pollIntervalMs: 50 }),
      ],
      providers: [HostJobs],
    })
      .setLogger({ log() {}, error() {}, warn() {}, debug() {}, verbose() {}, fatal() {} })
      .compile();
    try {
      await moduleRef.get(MikroORM).schema.create();
      await moduleRef.init();
      const registry = moduleRef.get(SchedulerRegistry);
      assert.equal(moduleRef.get(AsyncRunnerService).status.state, 'running');
      assert.deepEqual(registry.getIntervals().sort(), ['host-cleanup', POLL_INTERVAL_NAME].sort());
      await moduleRef.close();
      assert.deepEqual(registry.getIntervals().filter((n) => n === POLL_INTERVAL_NAME), []);
      assert.equal(moduleRef.get(AsyncRunnerService).status.state, 'stopped');
      assert.equal(timeouts(), before);
    } finally {
      await moduleRef.close();
      await db.drop();
    }
  });
});
