/**
 * What every command shares: its I/O, the table entry's shape, and the
 * parsing of flags (usage errors are exit 2, named by flag).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LOG_LEVELS, SEVERITIES, UsageError, type LogLevel, type Severity } from '@govscan/core';
import type { NetOptions } from './investigate/run.js';

/** Exit codes, as documented in the README. */
export const EXIT = { OK: 0, FINDINGS: 1, INPUT: 2, INTERNAL: 3, INCOMPLETE: 4, INTERRUPTED: 130 } as const;

export function parseSeverity(s: string, flag = '--fail-on'): Severity {
  if (!(SEVERITIES as readonly string[]).includes(s)) throw new UsageError(`${flag}: expected one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(s)}`);
  return s as Severity;
}

export function list(s: string | undefined): string[] | undefined {
  return s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean);
}

export function positiveInt(name: string, s: string | undefined, def: number, max: number): number {
  if (s === undefined) return def;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name}: expected a whole number from 1 to ${max}, got ${JSON.stringify(s)}`);
  return n;
}

export function logLevel(s: string | undefined): LogLevel {
  if (s === undefined) return (process.env.GOVSCAN_LOG_LEVEL as LogLevel | undefined) ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(s)) throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}`);
  return s as LogLevel;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options, P extends boolean> = ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: P }>>;

export function parse<T extends Options>(args: string[], options: T): Parsed<T, false> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Parse a command that takes exactly `count` positional arguments. */
export function parseWithPositionals<T extends Options>(args: string[], options: T, names: string[], command: string): Parsed<T, true> {
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== names.length) throw new UsageError(`${command}: expected ${names.join(' ')} (see govscan ${command} --help)`);
  return parsed;
}

/** The network flags investigate and case recheck share. */
export function netOptions(v: { resolver?: string; 'connect-to'?: string[]; 'ca-file'?: string; 'allow-private-targets'?: boolean; timeout?: string; 'browser-timeout'?: string; 'max-bytes'?: string; tsa?: string; 'tsa-cert'?: string }, signal: AbortSignal): NetOptions {
  return {
    ...(v.resolver ? { resolver: v.resolver } : {}),
    connectTo: v['connect-to'] ?? [],
    ...(v['ca-file'] ? { caFile: v['ca-file'] } : {}),
    allowPrivateTargets: v['allow-private-targets'] ?? false,
    ...(v.timeout !== undefined ? { timeoutMs: positiveInt('timeout', v.timeout, 0, 600_000) } : {}),
    ...(v['browser-timeout'] !== undefined ? { browserTimeoutMs: positiveInt('browser-timeout', v['browser-timeout'], 0, 600_000) } : {}),
    ...(v['max-bytes'] !== undefined ? { maxBytes: positiveInt('max-bytes', v['max-bytes'], 0, 512 * 1024 * 1024) } : {}),
    ...(v.tsa ? { tsa: v.tsa } : {}),
    ...(v['tsa-cert'] ? { tsaCert: v['tsa-cert'] } : {}),
    signal,
  };
}

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborted on Ctrl-C: stop starting work, keep and write what was gathered. */
  signal: AbortSignal;
}

export interface Command {
  summary: string;
  /** The help text, loaded only when asked for. */
  help(): Promise<string>;
  run(args: string[], io: CommandIo): Promise<number>;
}

export function helpWanted(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}
