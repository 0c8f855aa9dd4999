// Structured logs (pino, JSON lines on stdout). Nothing on the announce path logs at info.
import { pino, type Logger } from 'pino';

/** The process logger at `level`. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'seedhost' } });
}
