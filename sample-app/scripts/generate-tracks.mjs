// Writes sample-app/data/tracks.csv: 5,000 made-up tracks with a play count each.
// Seeded, so re-running it reproduces the committed file byte for byte:
//   npx node sample-app/scripts/generate-tracks.mjs
import { writeFileSync } from 'node:fs';

const COUNT = 5000;
const ADJECTIVES = ['Velvet', 'Electric', 'Quiet', 'Golden', 'Broken', 'Midnight', 'Paper', 'Silver', 'Wild', 'Hollow', 'Neon', 'Distant', 'Crimson', 'Slow', 'Frozen', 'Lucky'];
const NOUNS = ['Harbor', 'Engine', 'Garden', 'Signal', 'River', 'Lantern', 'Highway', 'Echo', 'Orchard', 'Satellite', 'Window', 'Tide', 'Canyon', 'Parade', 'Mirror', 'Skyline'];
const ARTISTS = ['The Paper Lanterns', 'Nova Hart', 'Glass Animals Club', 'Mira Sol', 'Static Bloom', 'Juno & the Tides', 'Low Orbit', 'Ada Vance', 'Kestrel', 'The Night Shift', 'Ivy Mercer', 'Copper Sky'];

// mulberry32: a tiny seeded PRNG, enough for reproducible sample data.
let seed = 20261203;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];

const lines = ['id,title,artist,play_count'];
for (let id = 1; id <= COUNT; id++) {
  const title = `${pick(ADJECTIVES)} ${pick(NOUNS)}${random() < 0.3 ? ` ${pick(['Part II', 'Reprise', 'Live', 'Demo'])}` : ''}`;
  const playCount = Math.floor(random() ** 3 * 250_000);
  lines.push(`${id},${title},${pick(ARTISTS)},${playCount}`);
}
const target = new URL('../data/tracks.csv', import.meta.url);
writeFileSync(target, `${lines.join('\n')}\n`);
console.log(`Wrote ${COUNT} tracks to ${target.pathname}`);
