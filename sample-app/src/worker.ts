// A standalone worker: `npm run worker`, configured from the environment (see worker-env.ts).
// Run as many as you like, on as many hosts as you like, against one PostgreSQL or MySQL database.
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AsyncRunnerService } from 'nest-async-runner';
import { workerConfigFromEnv } from './worker-env.js';
import { WorkerModule } from './worker.module.js';

const config = workerConfigFromEnv();
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config));
// SIGTERM/SIGINT close the app: the runner stops claiming and waits for running handlers.
app.enableShutdownHooks();
if (config.updateSchema) await app.get(MikroORM).schema.update();
const runner = app.get(AsyncRunnerService);
await runner.start();
new Logger('Worker').log(`Worker ${runner.status.workerId} serving ${runner.status.queues.join(', ')}; stop with SIGTERM or Ctrl-C.`);
