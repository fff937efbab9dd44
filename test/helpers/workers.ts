import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from './databases.js';
import { within } from './wait.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/scale-worker.js', import.meta.url));

/** A message a worker process sent over IPC. */
export interface WorkerMessage {
  type: string;
  workerId: string;
  taskId?: number;
  attempt?: number;
}

/** A child worker process running `test/fixtures/scale-worker.ts`. */
export interface WorkerProcess {
  id: string;
  child: ChildProcess;
  /** Resolves when its runner has started. */
  ready: Promise<void>;
  exited: Promise<number | string | null>;
  messages: WorkerMessage[];
  /** Resolves with the first message (already received or future) matching `match`. */
  next(match: (m: WorkerMessage) => boolean, ms: number, label: string): Promise<WorkerMessage>;
  kill(): Promise<void>;
}

/** Starts and tracks worker processes; `killAll()` belongs in an `after` hook. */
export class WorkerPool {
  readonly all: WorkerProcess[] = [];
  private n = 0;

  constructor(private readonly db: TestDatabase, private readonly env: Record<string, string> = {}) {}

  start(extraEnv: Record<string, string> = {}): WorkerProcess {
    const id = `w${++this.n}-${process.pid}`;
    const child = fork(SCRIPT, [], {
      execPath: process.execPath,
      env: { ...process.env, ...this.db.env, ...this.env, ...extraEnv, WORKER_ID: id },
      // Expected errors (killed connections) stay out of the test output unless TEST_LOGS is set;
      // the tail of stderr is kept for the error of a worker that dies unexpectedly.
      stdio: process.env.TEST_LOGS ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const messages: WorkerMessage[] = [];
    const waiters: { match: (m: WorkerMessage) => boolean; resolve: (m: WorkerMessage) => void }[] = [];
    child.on('message', (m: WorkerMessage) => {
      messages.push(m);
      for (const w of [...waiters]) {
        if (w.match(m)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    const next = (match: (m: WorkerMessage) => boolean, ms: number, label: string) => {
      const seen = messages.find(match);
      if (seen) return Promise.resolve(seen);
      const found = new Promise<WorkerMessage>((resolve) => waiters.push({ match, resolve }));
      const died = exited.then((how) => Promise.reject(new Error(`worker ${id} exited (${how}) while waiting for ${label}; stderr: ${stderr}`)));
      return within(Promise.race([found, died]), ms, `${label} from worker ${id}`);
    };
    const worker: WorkerProcess = {
      id,
      child,
      messages,
      exited,
      next,
      ready: next((m) => m.type === 'ready', 60_000, 'ready').then(() => undefined),
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await within(exited, 10_000, `exit of ${id}`);
      },
    };
    worker.ready.catch(() => {}); // observed by tests that await it
    this.all.push(worker);
    return worker;
  }

  async killAll(): Promise<void> {
    await Promise.all(this.all.map((w) => w.kill()));
  }
}
