import { EntitySchema } from '@mikro-orm/core';

/** A song in the sample's catalogue; the second example updates `playCount` one task per row. */
export class Track {
  id!: number;
  title!: string;
  artist!: string;
  playCount!: number;
}

export const TrackSchema = new EntitySchema<Track>({
  class: Track,
  tableName: 'track',
  properties: {
    id: { type: 'number', primary: true, autoincrement: false },
    title: { type: 'string', length: 200 },
    artist: { type: 'string', length: 200 },
    playCount: { type: 'integer', default: 0 },
  },
});
