import type { RunCounts } from 'nest-async-runner';

/** What the demo reports after the run. */
export interface Summary {
  items: number;
  tracks: number;
  counts: RunCounts;
  /** Sum of the `attempts` column over all task rows. */
  attemptsStored: number;
  elapsedMs: number;
  matchingTracks: number;
  totalPlays: number;
  expectedPlays: number;
}

/** One `label  value` line per figure, so both people and the sample's test can read it. */
export function printSummary(s: Summary): void {
  const enqueued = s.items + s.tracks;
  const lines: [string, string][] = [
    ['tasks enqueued', `${enqueued} (${s.items} items.print, ${s.tracks} tracks.set-play-count)`],
    ['succeeded', String(s.counts.succeeded)],
    ['failed', String(s.counts.failed)],
    ['retries', String(s.counts.retried)],
    ['attempts', `${s.attemptsStored} (${s.counts.succeeded + s.counts.failed + s.counts.retried} counted by the runner)`],
    ['elapsed', `${(s.elapsedMs / 1000).toFixed(2)} s (${Math.round((enqueued / s.elapsedMs) * 1000)} tasks/s)`],
    ['play counts', `${s.matchingTracks} of ${s.tracks} tracks match tracks.csv`],
    ['total plays', `${s.totalPlays} (expected ${s.expectedPlays})`],
  ];
  console.log('\nSummary');
  for (const [label, value] of lines) console.log(`  ${label.padEnd(16)}${value}`);
}
