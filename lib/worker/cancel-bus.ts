import { Injectable } from '@nestjs/common';
import { Signal } from './signal.js';

/**
 * In-process signal from `TaskQueue.cancel()` to this process's runner, carrying a task id,
 * so a handler running here is aborted at once. Runners in other processes learn of the
 * request at their next lease renewal instead.
 */
@Injectable()
export class CancelBus extends Signal<number> {}
