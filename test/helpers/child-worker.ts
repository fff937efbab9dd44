import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from './databases.js';
import { within } from './wait.js';

type Message = { type: string; [key: string]: unknown };

/** A child Nest app on the test's database (see test/workers/worker-process.ts), driven over IPC. */
export interface ChildWorker {
  readonly pid: number;
  /** The next message of `type` not yet taken (bounded wait). */
  next(type: string, ms?: number): Promise<Message>;
  send(message: Message): void;
  /** Closes the child's app and waits for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILLs the child (a crash: nothing is cleaned up) and waits for it to exit. */
  kill(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('../workers/worker-process.js', import.meta.url));

/** Starts a child process and waits for its app to be ready. */
export async function startChild(db: TestDatabase, role: 'runner' | 'enqueue-unique' | 'cron-slots', env: Record<string, string> = {}): Promise<ChildWorker> {
  const child: ChildProcess = fork(SCRIPT, [], {
    env: { ...process.env, ...db.env, ...env, WORKER_ROLE: role },
    execPath: process.execPath,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: Message[] = [];
  const waiters: (() => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (m: Message) => {
    inbox.push(m);
    for (const w of waiters.splice(0)) w();
  });
  const next = async (type: string, ms = 15_000): Promise<Message> => {
    const take = (): Message | undefined => {
      const i = inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (i < 0) return undefined;
      const [m] = inbox.splice(i, 1);
      if (m!.type === 'error') throw new Error(`child ${child.pid}: ${String(m!.message)}`);
      return m;
    };
    return within(
      (async () => {
        for (;;) {
          const m = take();
          if (m) return m;
          await new Promise<void>((r) => waiters.push(r));
        }
      })(),
      ms,
      `message "${type}" from child ${child.pid}`,
    );
  };
  await next('ready', 30_000);
  return {
    pid: child.pid!,
    next,
    send: (m) => child.send(m),
    kill: async () => {
      child.kill('SIGKILL');
      await within(exited, 20_000, `child ${child.pid} to die`);
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' });
      await within(exited, 20_000, `child ${child.pid} to exit`).catch((error) => {
        child.kill('SIGKILL');
        throw error;
      });
    },
  };
}
