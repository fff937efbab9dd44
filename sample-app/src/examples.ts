import type { EntityManager } from '@mikro-orm/core';
import type { TaskQueue } from 'nest-async-runner';
import type { SetPlayCount } from './tracks/play-count.handler.js';
import type { TrackRow } from './tracks/track-data.js';
import { Track } from './tracks/track.entity.js';

/** Example 1: the list whose items are printed, one task each. */
export const ITEMS = ['some', 'stuff', 'to', 'print', 'one', 'task', 'per', 'item'];

/** Example 1, as the Django runner did it: one enqueue per item. */
export async function enqueueItems(queue: TaskQueue): Promise<number> {
  for (const item of ITEMS) await queue.enqueue('items.print', { item });
  return ITEMS.length;
}

/**
 * Example 2: the catalogue goes in with no plays counted, then one task per row sets the
 * row's play count from the data file. The task for the middle row fails once on purpose.
 * Returns the id of that row.
 */
export async function enqueuePlayCounts(em: EntityManager, queue: TaskQueue, rows: readonly TrackRow[]): Promise<number> {
  await em.insertMany(Track, rows.map(({ id, title, artist }) => ({ id, title, artist, playCount: 0 })));
  const flakyId = rows[Math.floor(rows.length / 2)]!.id;
  await queue.enqueueMany(
    rows.map((row) => {
      const payload: SetPlayCount = { trackId: row.id, playCount: row.playCount };
      if (row.id === flakyId) payload.failFirstAttempt = true;
      return { name: 'tracks.set-play-count', payload };
    }),
  );
  return flakyId;
}

/** Tracks whose stored play count equals the data file's, and the total plays stored. */
export async function verifyPlayCounts(em: EntityManager, rows: readonly TrackRow[]): Promise<{ matching: number; totalPlays: number }> {
  const expected = new Map(rows.map((r) => [r.id, r.playCount]));
  const tracks = await em.find(Track, {});
  let matching = 0;
  let totalPlays = 0;
  for (const track of tracks) {
    if (expected.get(track.id) === track.playCount) matching++;
    totalPlays += track.playCount;
  }
  return { matching, totalPlays };
}
