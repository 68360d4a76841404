import { pino } from 'pino';
import type { Logger } from './types.js';

export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Logs are JSON lines on stderr (fd 2) through pino, synchronously so that
 * nothing is lost when the process exits. stdout is reserved for report output.
 */
export function createLogger(level: LogLevel = 'warn'): Logger & { level: string } {
  return pino({ level, base: { name: 'govscan' } }, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything, for library callers and tests. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
