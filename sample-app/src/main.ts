import 'reflect-metadata';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MikroORM } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import { AsyncRunnerService, Task, TaskQueue } from 'nest-async-runner';
import { enqueueItems, enqueuePlayCounts, verifyPlayCounts } from './examples.js';
import { SampleAppModule } from './sample-app.module.js';
import { SAMPLE_ROOT, sampleOptionsFromEnv } from './sample-options.js';
import { printSummary } from './summary.js';
import { readTracks } from './tracks/track-data.js';

/**
 * `npm start`: a fresh SQLite file, both examples enqueued, the runner driven until nothing is
 * left, then a summary. Exits 0 only when every task succeeded and every play count landed.
 */
async function main(): Promise<boolean> {
  const options = sampleOptionsFromEnv(process.env, { autoStart: false });
  mkdirSync(dirname(options.dbFile), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(options.dbFile + suffix, { force: true });

  const app = await NestFactory.createApplicationContext(SampleAppModule.forRoot(options), { logger: ['warn', 'error'] });
  try {
    const orm = app.get(MikroORM);
    // A demo may create its tables from the entities; real apps use migrations (see README).
    await orm.schema.create();
    const queue = app.get(TaskQueue);
    const runner = app.get(AsyncRunnerService);
    const em = orm.em.fork();
    const rows = readTracks(`${SAMPLE_ROOT}data/tracks.csv`);

    const items = await enqueueItems(queue);
    const flakyId = await enqueuePlayCounts(em, queue, rows);
    console.log(`Enqueued ${items} items.print tasks and ${rows.length} tracks.set-play-count tasks (track ${flakyId} fails once on purpose).`);

    const started = performance.now();
    const counts = await runner.runUntilEmpty();
    const elapsedMs = performance.now() - started;

    const tasks = await em.fork().find(Task, {});
    const { matching, totalPlays } = await verifyPlayCounts(em.fork(), rows);
    printSummary({
      items,
      tracks: rows.length,
      counts,
      attemptsStored: tasks.reduce((sum, t) => sum + t.attempts, 0),
      elapsedMs,
      matchingTracks: matching,
      totalPlays,
      expectedPlays: rows.reduce((sum, r) => sum + r.playCount, 0),
    });
    return counts.failed === 0 && counts.succeeded === items + rows.length && matching === rows.length;
  } finally {
    await app.close();
  }
}

main().then(
  (ok) => {
    if (!ok) {
      console.error('Sample run did not complete as expected (see summary).');
      process.exitCode = 1;
    }
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
