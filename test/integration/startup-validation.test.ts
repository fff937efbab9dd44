import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Injectable } from '@nestjs/common';
import { AsyncRunnerModule, DuplicateHandlerError, InvalidOptionError, TaskHandler, type AsyncRunnerOptions } from '../../lib/index.js';
import { eachDatabase } from '../helpers/each-database.js';
import { startupError } from '../helpers/startup-error.js';

@Injectable()
class MailerA {
  @TaskHandler('send-mail')
  send() {}
}

@Injectable()
class MailerB {
  @TaskHandler('send-mail')
  deliver() {}
}

@Injectable()
class BadHandlerOptions {
  @TaskHandler('bad-options', { maxAttempts: -1 })
  run() {}
}

const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

eachDatabase('startup validation', (kind) => {
  const invalid: [string, Record<string, unknown>, string, RegExp][] = [
    ['concurrency 0', { concurrency: 0 }, 'concurrency', /expected an integer from 1 to 1000, received 0/],
    ["pollIntervalMs 'x'", { pollIntervalMs: 'x' }, 'pollIntervalMs', /expected an integer from 10 to 2147483647, received "x"/],
    ['backoff.factor 0.5', { backoff: { factor: 0.5 } }, 'backoff.factor', /expected a number from 1 to 100, received 0.5/],
    ['unknown key', { concurency: 4 }, 'concurency', /expected one of the known options \(concurrency, queues, defaultQueue, pollIntervalMs, maxAttempts, backoff, autoStart, stopWhenEmpty/],
    ['prefetch -1', { prefetch: -1 }, 'prefetch', /expected an integer from 0 to 10000, received -1/],
    ['queues []', { queues: [] }, 'queues', /expected a non-empty list of queue names, or an object of queue name to slots, received \[\]/],
  ];
  for (const [label, options, option, accepted] of invalid) {
    it(`forRoot with ${label} fails at startup naming the option and the accepted values`, async () => {
      const before = timeouts();
      const error = await startupError(kind, AsyncRunnerModule.forRoot({ autoStart: false, ...options } as AsyncRunnerOptions));
      assert.ok(error instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(error)}`);
      assert.equal(error.option, option);
      assert.match(error.message, new RegExp(`^Invalid option "${option}": `));
      assert.match(error.message, accepted);
      assert.equal(timeouts(), before);
    });
  }

  it('forRootAsync validates the options its factory returns', async () => {
    const error = await startupError(kind, AsyncRunnerModule.forRootAsync({ useFactory: () => ({ concurrency: 0 }) }));
    assert.ok(error instanceof InvalidOptionError);
    assert.equal(error.option, 'concurrency');
  });

  it('two @TaskHandler with one name fail at startup naming both providers', async () => {
    const error = await startupError(kind, AsyncRunnerModule.forRoot({ autoStart: false }), [MailerA, MailerB]);
    assert.ok(error instanceof DuplicateHandlerError, `expected DuplicateHandlerError, got ${String(error)}`);
    assert.equal(error.taskName, 'send-mail');
    assert.deepEqual([error.first, error.second].sort(), ['MailerA.send', 'MailerB.deliver']);
    assert.match(error.message, /Task "send-mail" has two handlers: (MailerA\.send and MailerB\.deliver|MailerB\.deliver and MailerA\.send)\./);
  });

  it('invalid @TaskHandler options fail at startup naming the handler and option', async () => {
    const error = await startupError(kind, AsyncRunnerModule.forRoot({ autoStart: false }), [BadHandlerOptions]);
    assert.ok(error instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(error)}`);
    assert.equal(error.option, '@TaskHandler("bad-options").maxAttempts');
    assert.match(error.message, /expected an integer from 1 to 1000, received -1/);
  });

  it('valid options boot (the helper itself can tell success from failure)', async () => {
    assert.equal(await startupError(kind, AsyncRunnerModule.forRoot({ autoStart: false, concurrency: 2, isGlobal: true }), [MailerA]), null);
  });
});
