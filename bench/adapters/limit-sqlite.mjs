// The floor on SQLite: the same claim (UPDATE … RETURNING with a lease) and the same batched
// completion write as nest-async-runner, as a bare loop on better-sqlite3 — no framework,
// no ORM, prepared statements, same pragmas (WAL, default synchronous).
import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';

const SCHEMA = `
create table if not exists task (id integer primary key autoincrement, queue text not null, name text not null, payload text,
  status text not null default 'pending', priority integer not null default 0, run_at integer not null, attempts integer not null default 0,
  locked_by text, locked_until integer, finished_at integer);
create index if not exists task_claim on task (status, queue, priority desc, run_at, id);
create table if not exists bench_write (id integer primary key autoincrement, n integer not null, at integer not null);`;

export async function open({ location, concurrency, realistic }) {
  const db = new Database(location);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  let stmts;
  const prepare = () => {
    if (stmts) return stmts;
    stmts = {
      insert: db.prepare("insert into task (queue, name, payload, run_at) values ('default', 'bench', ?, ?)"),
      claim: db.prepare(
        "update task set status = 'running', attempts = attempts + 1, locked_by = 'w', locked_until = ? where id in " +
          "(select id from task where status = 'pending' and queue = 'default' and run_at <= ? order by priority desc, run_at, id limit ?) returning id, payload",
      ),
      write: db.prepare('insert into bench_write (n, at) values (?, ?)'),
    };
    return stmts;
  };
  const finishMany = (ids) => db.prepare(`update task set status = 'succeeded', finished_at = ?, locked_by = null, locked_until = null where locked_by = 'w' and status = 'running' and id in (${ids.map(() => '?').join(',')})`).run(Date.now(), ...ids);
  let running = false;
  let loop = Promise.resolve();
  let wake = () => {};
  return {
    setup: async () => {
      db.exec(SCHEMA);
    },
    enqueueMany: async (payloads) => {
      const { insert } = prepare();
      const now = Date.now();
      db.transaction(() => {
        for (const p of payloads) insert.run(JSON.stringify(p), now);
      })();
    },
    enqueueOne: async (payload) => {
      prepare().insert.run(JSON.stringify(payload), Date.now());
      wake();
    },
    start: async (onTask) => {
      const { claim, write } = prepare();
      running = true;
      let inFlight = 0;
      let done = [];
      let flushQueued = false;
      let slotFreed = () => {};
      const flush = () => {
        flushQueued = false;
        const ids = done;
        done = [];
        if (ids.length) finishMany(ids);
      };
      const runOne = async (row) => {
        const payload = JSON.parse(row.payload);
        if (realistic) write.run(payload.i, Date.now());
        await onTask(payload);
        done.push(row.id);
        if (!flushQueued) {
          flushQueued = true;
          setImmediate(flush);
        }
        inFlight--;
        slotFreed();
      };
      loop = (async () => {
        while (running) {
          const free = concurrency - inFlight;
          if (free > 0) {
            const now = Date.now();
            const rows = claim.all(now + 30_000, now, free);
            for (const row of rows) {
              inFlight++;
              void runOne(row);
            }
            if (rows.length > 0) {
              await new Promise((r) => setImmediate(r));
              continue;
            }
          }
          // Idle or full: wait for a freed slot, an in-process enqueue, or the poll.
          await Promise.race([new Promise((r) => (slotFreed = wake = r)), sleep(inFlight ? 1000 : 50)]);
        }
        while (inFlight > 0) await new Promise((r) => setImmediate(r));
        flush();
      })();
    },
    stop: async () => {
      running = false;
      wake();
      await loop;
    },
    doneCount: async () => db.prepare("select count(*) as c from task where status = 'succeeded'").get().c,
    close: async () => db.close(),
  };
}
