import type { LoggerService } from '@nestjs/common';

/** One captured log call. */
export interface LogLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
}

/** A logger that records every line, for asserting on what the runner logs. */
export function captureLogs(): LoggerService & { lines: LogLine[]; find(level: LogLine['level'], text: string): LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: unknown) => {
    lines.push({ level, message: String(message) });
    if (process.env.TEST_LOGS) console.log(`[${level}] ${String(message)}`);
  };
  return {
    lines,
    log: at('log'),
    error: at('error'),
    warn: at('warn'),
    debug: at('debug'),
    verbose: at('verbose'),
    fatal: at('fatal'),
    find: (level, text) => lines.filter((l) => l.level === level && l.message.includes(text)),
  };
}
