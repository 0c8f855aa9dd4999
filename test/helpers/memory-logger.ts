// A pino logger whose JSON lines are kept in memory, so a test can assert what the server logged.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface MemoryLogger {
  logger: Logger;
  /** Every line logged so far, parsed (pino levels: 40 warn, 50 error). */
  lines: Record<string, unknown>[];
}

/** A logger at `level` (default warn) that keeps its lines. */
export function memoryLogger(level = 'warn'): MemoryLogger {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level, base: { service: 'seedhost' } }, sink), lines };
}
