// Compile-time tests of typed tasks. This file is compiled by `npm test` (tsc) but never run:
// each `@ts-expect-error` line must fail to type-check, so a regression that lets a wrong
// payload or result through makes the `@ts-expect-error` unused and breaks the build.
import { Injectable } from '@nestjs/common';
import {
  defineTask,
  TaskEvents,
  TaskHandler,
  TaskQueue,
  type PayloadOf,
  type ResultOf,
  type Task,
  type TaskContext,
  type TaskEvent,
} from '../../lib/index.js';

const SendEmail = defineTask<{ to: string; subject?: string }, { messageId: string }>('send-email', { maxAttempts: 5 });

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const payloadIs: Equals<PayloadOf<typeof SendEmail>, { to: string; subject?: string }> = true;
const resultIs: Equals<ResultOf<typeof SendEmail>, { messageId: string }> = true;

@Injectable()
export class TypedHandlers {
  @TaskHandler(SendEmail)
  async send(payload: { to: string; subject?: string }, _ctx: TaskContext): Promise<{ messageId: string }> {
    return { messageId: payload.to };
  }

  // A handler may take fewer parameters and return synchronously.
  @TaskHandler(defineTask<{ n: number }, number>('double'))
  double(payload: { n: number }) {
    return payload.n * 2;
  }

  // @ts-expect-error the payload parameter does not accept the definition's payload
  @TaskHandler(SendEmail)
  async wrongPayload(payload: { id: number }): Promise<{ messageId: string }> {
    return { messageId: String(payload.id) };
  }

  // @ts-expect-error the result does not match the definition's result
  @TaskHandler(SendEmail)
  async wrongResult(_payload: { to: string }): Promise<{ id: number }> {
    return { id: 1 };
  }

  // Plain string names keep working, untyped.
  @TaskHandler('legacy')
  legacy(payload: unknown) {
    return payload;
  }
}

export async function enqueueTyped(queue: TaskQueue, events: TaskEvents): Promise<void> {
  const task: Task<{ to: string; subject?: string }, { messageId: string }> = await queue.enqueue(SendEmail, { to: 'a@example.com' });
  void task;
  await queue.enqueue(SendEmail, { to: 'a@example.com', subject: 'hi' }, { delayMs: 10 });

  // @ts-expect-error missing the required `to`
  await queue.enqueue(SendEmail, { subject: 'hi' });
  // @ts-expect-error `to` has the wrong type
  await queue.enqueue(SendEmail, { to: 42 });
  // @ts-expect-error unknown property on a fresh object literal
  await queue.enqueue(SendEmail, { to: 'a', cc: 'b' });
  // @ts-expect-error the payload is required for a typed definition
  await queue.enqueue(SendEmail);

  // Plain names take any payload.
  await queue.enqueue('legacy', { anything: [1, 2, 3] });

  const done = await queue.waitFor<PayloadOf<typeof SendEmail>, ResultOf<typeof SendEmail>>(task.id, { timeoutMs: 1000 });
  const id: string | undefined = done.result?.messageId;
  void id;
  // @ts-expect-error the result is typed
  const wrong: number | undefined = done.result?.messageId;
  void wrong;

  events.subscribe(['failed'], (e) => {
    const error: string = e.error;
    void error;
    // @ts-expect-error a failed event has no result
    void e.result;
  });
  events.subscribe((e: TaskEvent) => {
    if (e.type === 'succeeded') void e.result;
  });
  // @ts-expect-error unknown event type
  events.subscribe(['finished'], () => undefined);
  void payloadIs;
  void resultIs;
}
