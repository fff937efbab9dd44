import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AsyncRunnerModule, InvalidOptionError, NotReadyError, TaskHandler, TaskQueue, TaskStatus, type TaskContext } from '../../lib/index.js';
import { createTestDatabase, runnerEntities } from '../helpers/databases.js';
import { eachDatabase } from '../helpers/each-database.js';
import { captureLogs } from '../helpers/log-capture.js';
import { startupError } from '../helpers/startup-error.js';
import { createTestApp } from '../helpers/test-app.js';
import { deferred, within } from '../helpers/wait.js';

@Injectable()
class Jobs {
  started = deferred();

  @TaskHandler('echo')
  echo(payload: { n: number }) {
    return payload.n;
  }

  @TaskHandler('slow', { maxAttempts: 1 })
  async slow(_p: unknown, ctx: TaskContext) {
    this.started.resolve();
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    throw ctx.signal.reason;
  }
}

eachDatabase('boot and shutdown', (kind) => {
  it('boots with autoStart before the tables exist, says why it waits, and starts once they do', async () => {
    const logs = captureLogs();
    const t = await createTestApp({ kind, providers: [Jobs], createSchema: false, logger: logs, runner: { autoStart: true, pollIntervalMs: 50 } });
    try {
      // The first failure is a warning (an app may create its schema right after init); later ones are errors.
      const said = logs.lines.filter((l) => l.message.includes('Could not start the runner'));
      assert.ok(said.length >= 1);
      assert.equal(said[0]!.level, 'warn');
      assert.ok(said.slice(1).every((l) => l.level === 'error'));
      assert.match(said[0]!.message, /Are the runner's tables created/);
      await t.orm.schema.create();
      const task = await t.queue.enqueue('echo', { n: 7 });
      const done = await t.queue.waitFor(task.id, { timeoutMs: 15_000 });
      assert.equal(done.status, TaskStatus.Succeeded);
      assert.equal(done.result, 7);
    } finally {
      await t.close();
    }
  });

  it('a handler cut short by a graceful stop goes back to pending with ShutdownError, even on its last attempt', async () => {
    const t = await createTestApp({ kind, providers: [Jobs], runner: { shutdownTimeoutMs: 100 } });
    try {
      const task = await t.queue.enqueue('slow');
      await t.runner.start();
      await within(t.app.get(Jobs).started.promise, 10_000, 'the slow handler to start');
      await t.runner.stop();
      const row = await t.queue.get(task.id);
      assert.equal(row?.status, TaskStatus.Pending);
      assert.equal(row?.attempts, 1);
      assert.match(row?.lastError ?? '', /^ShutdownError: Runner stopped; the handler did not finish within shutdownTimeoutMs \(100 ms\)/);
    } finally {
      await t.close();
    }
  });
});

it('enqueue before the app is initialised says so, instead of claiming the name is unknown', async () => {
  const db = await createTestDatabase('sqlite');
  const moduleRef = await Test.createTestingModule({
    imports: [MikroOrmModule.forRoot({ ...db.orm, entities: [...runnerEntities(db.kind)] } as never), AsyncRunnerModule.forRoot({ autoStart: false })],
    providers: [Jobs],
  })
    .setLogger({ log() {}, error() {}, warn() {}, debug() {}, verbose() {}, fatal() {} })
    .compile();
  try {
    await assert.rejects(moduleRef.get(TaskQueue).enqueue('echo', { n: 1 }), (e: unknown) => {
      assert.ok(e instanceof NotReadyError);
      assert.match((e as Error).message, /^TaskQueue was used before the application finished initialising/);
      return true;
    });
  } finally {
    await moduleRef.close();
    await db.drop();
  }
});

eachDatabase(
  'payload limit on MySQL/MariaDB',
  (kind) => {
    it('refuses maxPayloadBytes above what a TEXT column holds, at startup', async () => {
      const error = await startupError(kind, AsyncRunnerModule.forRoot({ autoStart: false, maxPayloadBytes: 1_000_000 }));
      assert.ok(error instanceof InvalidOptionError);
      assert.equal(error.option, 'maxPayloadBytes');
      assert.equal(error.message, 'Invalid option "maxPayloadBytes": expected at most 65535 on MySQL/MariaDB (the TEXT columns hold 65,535 bytes), received 1000000.');
    });
  },
  ['mariadb'],
);
