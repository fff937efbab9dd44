import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SYSTEMS } from '../adapters/index.mjs';

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));

/** `BENCH_CPU_PROF=<dir>` writes a V8 CPU profile of every benchmark process (for tuning). */
function profileArgs(spec) {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Starts one benchmark process for `spec` (see child.mjs). Each process is fresh: nothing
 * warmed, cached or leaked from an earlier run carries over.
 */
export function spawnChild(spec, { timeoutMs = 15 * 60_000 } = {}) {
  // The memory run collects garbage before each reading (see child.mjs), so it needs gc().
  const execArgv = [...profileArgs(spec), ...(spec.memoryMarks?.length ? ['--expose-gc'] : []), ...(SYSTEMS[spec.system]?.nodeFlags ?? [])];
  const child = fork(CHILD, [JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const listeners = new Set();
  let settle;
  const result = new Promise((resolve, reject) => (settle = { resolve, reject }));
  const timer = setTimeout(() => {
    child.kill('SIGKILL');
    settle.reject(new Error(`${spec.system} ${spec.role} timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  child.on('message', (msg) => {
    if (msg.type === 'result') settle.resolve(msg.result);
    else if (msg.type === 'error') settle.reject(new Error(msg.error.split('\n')[0]));
    for (const l of listeners) l(msg);
  });
  child.on('exit', (code, signal) => {
    clearTimeout(timer);
    settle.reject(new Error(`${spec.system} ${spec.role} exited (${signal ?? code}) without a result`));
  });
  return {
    result,
    send: (msg) => child.connected && child.send(msg),
    on: (fn) => listeners.add(fn),
    waitFor: (type) => new Promise((resolve) => {
      const l = (msg) => {
        if (msg.type === type) {
          listeners.delete(l);
          resolve(msg);
        }
      };
      listeners.add(l);
    }),
    kill: () => child.kill('SIGKILL'),
  };
}
