import { Injectable } from '@nestjs/common';
import { TaskHandler, type TaskContext } from 'nest-async-runner';
import { Track } from './track.entity.js';

/** Payload of `tracks.set-play-count`. */
export interface SetPlayCount {
  trackId: number;
  playCount: number;
  /** Demo only: throw on the first attempt so the retry shows in the output. */
  failFirstAttempt?: boolean;
}

/**
 * The Django runner's second example (one UPDATE per row), written as a handler: the task
 * carries data, and the code that runs is this method, not text stored in the database.
 */
@Injectable()
export class PlayCountHandler {
  @TaskHandler('tracks.set-play-count')
  async setPlayCount(payload: SetPlayCount, ctx: TaskContext): Promise<{ trackId: number; playCount: number }> {
    if (payload.failFirstAttempt && ctx.attempt === 1) {
      throw new Error(`Simulated outage while updating track ${payload.trackId} (attempt ${ctx.attempt} of ${ctx.maxAttempts})`);
    }
    // ctx.em is forked for this task alone, so the identity map never outlives the attempt.
    const track = await ctx.em.findOneOrFail(Track, payload.trackId);
    track.playCount = payload.playCount;
    await ctx.em.flush();
    if (ctx.attempt > 1) console.log(`track ${payload.trackId} updated on attempt ${ctx.attempt}`);
    return { trackId: track.id, playCount: track.playCount };
  }
}
