import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MikroORM } from '@mikro-orm/sqlite';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'dist/sample-app/src/main.js');
const ITEMS = ['some', 'stuff', 'to', 'print', 'one', 'task', 'per', 'item'];
// Generous bound for a shared 2-core machine; it only stops a hung child, it asserts nothing about speed.
const CHILD_TIMEOUT_MS = 180_000;

/** The committed data file, read independently of the sample's own loader. */
function expectedTracks(): Map<number, number> {
  const lines = readFileSync(join(ROOT, 'sample-app/data/tracks.csv'), 'utf8').trim().split('\n').slice(1);
  return new Map(lines.map((line) => {
    const f = line.split(',');
    return [Number(f[0]), Number(f[3])];
  }));
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runSample(dbFile: string): Promise<ChildResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN],
      { cwd: ROOT, env: { ...process.env, SAMPLE_DB_FILE: dbFile, NO_COLOR: '1' }, timeout: CHILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number; signal?: NodeJS.Signals }) | null;
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
      },
    );
  });
}

/** Value of a `  label  value` summary line. */
function summaryValue(stdout: string, label: string): string {
  const match = new RegExp(`^  ${label} +(.+)$`, 'm').exec(stdout);
  assert.ok(match, `summary line "${label}" missing from output:\n${stdout}`);
  return match[1]!;
}

describe('sample app (npm start) as a child process', () => {
  const dir = join(tmpdir(), 'nest-async-runner-tests');
  const dbFile = join(dir, `sample-${process.pid}-${Date.now().toString(36)}.sqlite`);
  const tracks = expectedTracks();
  const flakyId = [...tracks.keys()][Math.floor(tracks.size / 2)]!;
  let run: ChildResult;

  before(async () => {
    mkdirSync(dir, { recursive: true });
    run = await runSample(dbFile);
  });
  after(() => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
  });

  it('exits 0 by itself', () => {
    assert.equal(run.signal, null, `killed by ${run.signal}; stderr:\n${run.stderr}`);
    assert.equal(run.code, 0, `stderr:\n${run.stderr}\nstdout:\n${run.stdout}`);
  });

  it('prints every item of example 1 exactly once', () => {
    const printed = run.stdout.split('\n').filter((l) => l.startsWith('print-item: ')).map((l) => l.slice('print-item: '.length));
    assert.deepEqual([...printed].sort(), [...ITEMS].sort());
  });

  it('shows the one failed first attempt of example 2 and its successful retry', () => {
    assert.equal(tracks.size, 5000);
    assert.match(run.stdout, new RegExp(`track ${flakyId} fails once on purpose`));
    const warnings = run.stdout.split('\n').filter((l) => l.includes('Simulated outage'));
    assert.equal(warnings.length, 1, run.stdout);
    assert.match(warnings[0]!, new RegExp(`failed; retry in \\d+ ms\\. Error: Simulated outage while updating track ${flakyId} \\(attempt 1 of 3\\)`));
    assert.match(run.stdout, new RegExp(`^track ${flakyId} updated on attempt 2$`, 'm'));
  });

  it('prints a summary with the exact counts', () => {
    const total = ITEMS.length + tracks.size;
    const plays = [...tracks.values()].reduce((a, b) => a + b, 0);
    assert.equal(summaryValue(run.stdout, 'tasks enqueued'), `${total} (${ITEMS.length} items.print, ${tracks.size} tracks.set-play-count)`);
    assert.equal(summaryValue(run.stdout, 'succeeded'), String(total));
    assert.equal(summaryValue(run.stdout, 'failed'), '0');
    assert.equal(summaryValue(run.stdout, 'retries'), '1');
    assert.equal(summaryValue(run.stdout, 'attempts'), `${total + 1} (${total + 1} counted by the runner)`);
    assert.match(summaryValue(run.stdout, 'elapsed'), /^\d+\.\d\d s \(\d+ tasks\/s\)$/);
    assert.equal(summaryValue(run.stdout, 'play counts'), `${tracks.size} of ${tracks.size} tracks match tracks.csv`);
    assert.equal(summaryValue(run.stdout, 'total plays'), `${plays} (expected ${plays})`);
  });

  it('left the database it reports on: every task succeeded, every play count from the data file', async () => {
    const orm = await MikroORM.init({ dbName: dbFile, entities: [], discovery: { warnWhenNoEntities: false } });
    try {
      const conn = orm.em.getConnection();
      const byStatus = await conn.execute<{ status: string; n: number; attempts: number }[]>(
        'select status, count(*) as n, sum(attempts) as attempts from async_runner_task group by status',
      );
      assert.deepEqual(byStatus.map((r) => ({ ...r })), [{ status: 'succeeded', n: ITEMS.length + tracks.size, attempts: ITEMS.length + tracks.size + 1 }]);
      const retried = await conn.execute<{ payload: string; attempts: number }[]>('select payload, attempts from async_runner_task where attempts <> 1');
      assert.equal(retried.length, 1);
      assert.equal(retried[0]!.attempts, 2);
      assert.equal((JSON.parse(retried[0]!.payload) as { trackId: number }).trackId, flakyId);
      const rows = await conn.execute<{ id: number; play_count: number }[]>('select id, play_count from track');
      assert.equal(rows.length, tracks.size);
      assert.equal(rows.filter((r) => tracks.get(r.id) !== r.play_count).length, 0);
    } finally {
      await orm.close(true);
    }
  });
});
