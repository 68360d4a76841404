/** `govscan scan`: its flags and how it runs; the command's code is loaded when it runs, its help when asked for. */
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '@govscan/core';
import { list, logLevel, parse, parseSeverity, positiveInt, type Command } from '../args.js';

const scanOptions = {
  registry: { type: 'string' },
  scanners: { type: 'string' },
  sites: { type: 'string' },
  resolver: { type: 'string' },
  'connect-to': { type: 'string', multiple: true },
  out: { type: 'string' },
  format: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  'fail-on': { type: 'string' },
  'problem-severity': { type: 'string' },
  'allow-private-targets': { type: 'boolean' },
  'ca-file': { type: 'string' },
  rules: { type: 'string' },
  previous: { type: 'string' },
  deadline: { type: 'string' },
  'log-level': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const scanEntry = {
  summary: 'scan the registered sites, write reports',
  help: async () => (await import('./help.js')).SCAN_HELP,
  async run(args, io) {
    const { scanCommand } = await import('./run.js');
    const { values: v } = parse(args, scanOptions);
    if (!v.registry) throw new UsageError('scan: --registry FILE is required (see govscan scan --help)');
    const result = await scanCommand({
      registry: v.registry,
      scanners: list(v.scanners),
      sites: list(v.sites),
      ...(v.resolver ? { resolver: v.resolver } : {}),
      connectTo: v['connect-to'] ?? [],
      out: v.out ?? 'govscan-out',
      formats: list(v.format) ?? Object.keys((await import('../../tables.js')).reporters),
      concurrency: positiveInt('concurrency', v.concurrency, 16, 1024),
      timeoutMs: positiveInt('timeout', v.timeout, 15_000, 600_000),
      ...(v['fail-on'] ? { failOn: parseSeverity(v['fail-on']) } : {}),
      ...(v['problem-severity'] ? { problemSeverity: parseSeverity(v['problem-severity'], '--problem-severity') } : {}),
      allowPrivateTargets: v['allow-private-targets'] ?? false,
      ...(v['ca-file'] ? { caFile: v['ca-file'] } : {}),
      ...(v.rules ? { rulesDir: v.rules } : {}),
      ...(v.previous ? { previous: v.previous } : {}),
      ...(v.deadline ? { deadline: v.deadline } : {}),
      logLevel: logLevel(v['log-level']),
      summary: !v.quiet,
      progress: io.stderr.isTTY ? io.stderr : null,
      signal: io.signal,
      stdout: io.stdout,
    });
    return result.exitCode;
  },
} satisfies Command;
