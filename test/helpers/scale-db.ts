import type { TestApp } from './test-app.js';

/** Creates the table the `record` handler writes (task id, worker id) into. */
export async function createExecTable(t: TestApp): Promise<void> {
  const ddl = {
    sqlite: 'create table scale_exec (id integer primary key autoincrement, task_id integer not null, worker_id text not null)',
    postgres: 'create table scale_exec (id bigserial primary key, task_id bigint not null, worker_id text not null)',
    mariadb: 'create table scale_exec (id bigint auto_increment primary key, task_id bigint not null, worker_id varchar(128) not null)',
  }[t.db.kind];
  await t.orm.em.getConnection().execute(ddl);
}

/** Executions recorded, distinct tasks among them, and executions per worker. */
export async function executions(t: TestApp): Promise<{ total: number; distinct: number; byWorker: Map<string, number> }> {
  const conn = t.orm.em.getConnection();
  const [row] = await conn.execute<{ n: number | string; d: number | string }[]>('select count(*) as n, count(distinct task_id) as d from scale_exec');
  const per = (await conn.execute('select worker_id, count(*) as n from scale_exec group by worker_id')) as { worker_id: string; n: number | string }[];
  return { total: Number(row!.n), distinct: Number(row!.d), byWorker: new Map(per.map((r) => [r.worker_id, Number(r.n)])) };
}

/** Task counts by status. */
export async function statusCounts(t: TestApp): Promise<Record<string, number>> {
  const rows = (await t.orm.em.getConnection().execute('select status, count(*) as n from async_runner_task group by status')) as { status: string; n: number | string }[];
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Tasks running under `workerId` now (claimed, outcome not written). */
export async function runningUnder(t: TestApp, workerId: string): Promise<number> {
  const [row] = await t.orm.em.getConnection().execute<{ n: number | string }[]>("select count(*) as n from async_runner_task where status = 'running' and locked_by = ?", [workerId]);
  return Number(row!.n);
}
