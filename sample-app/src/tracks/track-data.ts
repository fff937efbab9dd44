import { readFileSync } from 'node:fs';

/** One row of `sample-app/data/tracks.csv`. */
export interface TrackRow {
  id: number;
  title: string;
  artist: string;
  playCount: number;
}

const HEADER = 'id,title,artist,play_count';

/**
 * Reads the sample's track list. The generator writes no commas or quotes inside fields, so a
 * strict split is enough; any other shape is reported with its line number instead of guessed at.
 */
export function readTracks(file: string): TrackRow[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
  if (lines[0] !== HEADER) throw new Error(`${file}: expected header "${HEADER}", found "${lines[0]}"`);
  return lines.slice(1).map((line, i) => {
    const fields = line.split(',');
    const id = Number(fields[0]);
    const playCount = Number(fields[3]);
    if (fields.length !== 4 || !Number.isSafeInteger(id) || !Number.isSafeInteger(playCount)) {
      throw new Error(`${file}:${i + 2}: expected "id,title,artist,play_count", found "${line}"`);
    }
    return { id, title: fields[1]!, artist: fields[2]!, playCount };
  });
}
