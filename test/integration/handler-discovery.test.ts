import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Injectable, Scope } from '@nestjs/common';
import { HandlerRegistry, OnTaskEvent, TaskHandler, TaskQueue, TaskStatus, UnknownTaskError, type TaskEvent } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp } from '../helpers/test-app.js';

/** Events seen by the transient listener below, wherever Nest put its instance. */
const transientEvents: string[] = [];

@Injectable({ scope: Scope.TRANSIENT })
class TransientJobs {
  constructor(private readonly queue: TaskQueue) {}

  @TaskHandler('transient-job')
  run() {
    // Would throw on the uninjected instance the scan used to bind.
    return typeof this.queue.enqueue;
  }

  @OnTaskEvent()
  onEvent(event: TaskEvent) {
    transientEvents.push(`${event.type}:${event.task.name}`);
  }
}

@Injectable()
class SingletonJobs {
  @TaskHandler('single')
  single() {
    return 1;
  }

  @TaskHandler('mail', { queue: 'emails' })
  mail() {
    return 'sent';
  }
}

/** Events heard by the aliased listener below. */
const aliasedEvents: string[] = [];

@Injectable()
class AliasedJobs {
  @TaskHandler('aliased')
  run() {
    return 'ran';
  }

  @OnTaskEvent('succeeded')
  onSucceeded(event: TaskEvent) {
    aliasedEvents.push(`${event.type}:${event.task.id}`);
  }
}

eachDatabase('handler discovery', (kind) => {
  it('registers a provider also exposed under another token (useExisting) once: no duplicate-handler error, each event heard once', async () => {
    aliasedEvents.length = 0;
    const t = await createTestApp({ kind, providers: [AliasedJobs, { provide: 'JOBS', useExisting: AliasedJobs }] });
    try {
      assert.deepEqual(t.app.get(HandlerRegistry).names(), ['aliased']);
      const task = await t.queue.enqueue('aliased');
      await t.runner.runUntilEmpty();
      assert.equal((await t.queue.waitFor(task.id, { timeoutMs: 10_000 })).result, 'ran');
      assert.deepEqual(aliasedEvents, [`succeeded:${task.id}`]);
    } finally {
      await t.close();
    }
  });

  it('skips a transient provider\'s handlers and listeners with a warning; its task name stays unknown', async () => {
    transientEvents.length = 0;
    const logs = captureLogs();
    const t = await createTestApp({ kind, providers: [TransientJobs, SingletonJobs], logger: logs });
    try {
      const registry = t.app.get(HandlerRegistry);
      assert.equal(registry.get('transient-job'), undefined);
      assert.deepEqual(registry.names(), ['mail', 'single']);
      assert.deepEqual(
        logs.find('warn', 'TransientJobs.').map((l) => l.message),
        [
          'TransientJobs.run is request- or transient-scoped; task handlers must be singletons. Skipped.',
          'TransientJobs.onEvent is request- or transient-scoped; @OnTaskEvent listeners must be singletons. Skipped.',
        ],
      );
      await assert.rejects(t.queue.enqueue('transient-job'), (e: unknown) => {
        assert.ok(e instanceof UnknownTaskError);
        assert.equal(e.taskName, 'transient-job');
        return true;
      });
      // A task that does run emits events; the skipped listener must not receive them.
      const task = await t.queue.enqueue('single');
      await t.runner.runUntilEmpty();
      assert.equal((await t.queue.waitFor(task.id, { timeoutMs: 10_000 })).status, TaskStatus.Succeeded);
      assert.deepEqual(transientEvents, []);
    } finally {
      await t.close();
    }
  });

  it('warns at startup about a handler whose queue this runner does not serve, naming the served queues', async () => {
    const logs = captureLogs();
    const t = await createTestApp({ kind, providers: [SingletonJobs], logger: logs });
    try {
      assert.deepEqual(
        logs.find('warn', '@TaskHandler(').map((l) => l.message),
        [
          '@TaskHandler("mail") on SingletonJobs.mail uses queue "emails", which this runner does not serve (queues: "default"); ' +
            'its tasks stay pending unless another process serves "emails".',
        ],
      );
    } finally {
      await t.close();
    }
  });

  it('does not warn when the runner serves every handler\'s queue', async () => {
    const logs = captureLogs();
    const t = await createTestApp({ kind, providers: [SingletonJobs], logger: logs, runner: { queues: { default: 1, emails: 1 } } });
    try {
      assert.deepEqual(logs.find('warn', '@TaskHandler('), []);
      assert.equal(logs.find('log', 'Registered 2 task handler(s): mail, single').length, 1);
    } finally {
      await t.close();
    }
  });
});
