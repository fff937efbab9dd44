// The floor on PostgreSQL: a claim with FOR UPDATE SKIP LOCKED and a lease, and one batched
// completion UPDATE per turn, as a bare loop on node-postgres — no framework, no ORM.
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

const SCHEMA = `
create table if not exists task (id bigserial primary key, queue text not null, name text not null, payload text,
  status text not null default 'pending', priority int not null default 0, run_at timestamptz not null default now(), attempts int not null default 0,
  locked_by text, locked_until timestamptz, finished_at timestamptz);
create index if not exists task_claim on task (status, queue, priority desc, run_at, id);
create table if not exists bench_write (id bigserial primary key, n int not null, at timestamptz not null);`;

const CLAIM =
  "update task set status = 'running', attempts = attempts + 1, locked_by = $1, locked_until = now() + interval '30 seconds' where id in " +
  "(select id from task where status = 'pending' and queue = 'default' and run_at <= now() order by priority desc, run_at, id limit $2 for update skip locked) returning id, payload";
const FINISH = "update task set status = 'succeeded', finished_at = now(), locked_by = null, locked_until = null where locked_by = $1 and status = 'running' and id = any($2::bigint[])";

export async function open({ location, concurrency, realistic }) {
  const pool = new pg.Pool({ connectionString: location, max: 4 });
  const me = `w${process.pid}`;
  let running = false;
  let loop = Promise.resolve();
  let wake = () => {};
  return {
    setup: async () => {
      await pool.query(SCHEMA);
    },
    enqueueMany: async (payloads) => {
      await pool.query("insert into task (queue, name, payload) select 'default', 'bench', p from unnest($1::text[]) as p", [payloads.map((p) => JSON.stringify(p))]);
    },
    enqueueOne: async (payload) => {
      await pool.query("insert into task (queue, name, payload) values ('default', 'bench', $1)", [JSON.stringify(payload)]);
      wake();
    },
    start: async (onTask) => {
      running = true;
      let inFlight = 0;
      let done = [];
      let flushing = null;
      const flush = async () => {
        while (done.length) {
          const ids = done;
          done = [];
          await pool.query(FINISH, [me, ids]);
        }
        flushing = null;
      };
      const runOne = async (row) => {
        const payload = JSON.parse(row.payload);
        if (realistic) await pool.query('insert into bench_write (n, at) values ($1, now())', [payload.i]);
        await onTask(payload);
        done.push(row.id);
        flushing ??= new Promise((r) => setImmediate(r)).then(flush);
        inFlight--;
        wake();
      };
      loop = (async () => {
        while (running) {
          const free = concurrency - inFlight;
          if (free > 0) {
            const { rows } = await pool.query(CLAIM, [me, free]);
            for (const row of rows) {
              inFlight++;
              void runOne(row);
            }
            if (rows.length === free) continue;
          }
          await Promise.race([new Promise((r) => (wake = r)), sleep(inFlight ? 1000 : 50)]);
        }
        while (inFlight > 0) await new Promise((r) => setImmediate(r));
        if (flushing) await flushing;
      })();
    },
    stop: async () => {
      running = false;
      wake();
      await loop;
    },
    doneCount: async () => Number((await pool.query("select count(*) as c from task where status = 'succeeded'")).rows[0].c),
    close: () => pool.end(),
  };
}
