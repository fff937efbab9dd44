import { tableNames } from '../entities/define-entities.js';

/** Quoted table names for one dialect; the prefix was validated as an identifier at startup. */
export interface Tables {
  task: string;
  stop: string;
}

export function quotedTables(prefix: string, quote: '"' | '`'): Tables {
  const { task, stop } = tableNames(prefix);
  return { task: `${quote}${task}${quote}`, stop: `${quote}${stop}${quote}` };
}

/** `?, ?, ?` for n values. */
export function marks(n: number): string {
  return new Array<string>(n).fill('?').join(', ');
}

/** Splits work into statements small enough for every driver's bound-parameter limit. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
