import { Injectable } from '@nestjs/common';
import { Signal } from './signal.js';

/**
 * In-process signal from `TaskQueue` to the runner, carrying a queue name: an enqueue here
 * wakes the runner at once instead of at the next poll. Other processes rely on
 * LISTEN/NOTIFY or the poll.
 */
@Injectable()
export class WakeBus extends Signal<string> {}
