/** `govscan hunt`: its flags and how it runs; the command's code is loaded when it runs, its help when asked for. */
import { UsageError } from '@govscan/core';
import { list, logLevel, parse, parseSeverity, positiveInt, type Command } from '../args.js';

export const huntEntry = {
  summary: 'lookalike domains of every registered site → resolved, triaged, classified',
  help: async () => (await import('./help.js')).HUNT_HELP,
  async run(args, io) {
    const { huntCommand } = await import('./run.js');
    const { values: v } = parse(args, {
      registry: { type: 'string' },
      sites: { type: 'string' },
      resolver: { type: 'string', multiple: true },
      fuzzers: { type: 'string' },
      out: { type: 'string' },
      concurrency: { type: 'string' },
      'triage-concurrency': { type: 'string' },
      timeout: { type: 'string' },
      'dns-timeout': { type: 'string' },
      'connect-to': { type: 'string', multiple: true },
      'allow-private-targets': { type: 'boolean' },
      'ca-file': { type: 'string' },
      rules: { type: 'string' },
      'fail-on': { type: 'string' },
      'generate-only': { type: 'boolean' },
      'log-level': { type: 'string' },
      quiet: { type: 'boolean' },
    });
    if (!v.registry) throw new UsageError('hunt: --registry FILE is required (see govscan hunt --help)');
    return huntCommand({
      registry: v.registry,
      sites: list(v.sites),
      resolvers: v.resolver ?? [],
      fuzzers: list(v.fuzzers),
      out: v.out ?? 'govscan-out/hunt',
      connectTo: v['connect-to'] ?? [],
      allowPrivateTargets: v['allow-private-targets'] ?? false,
      ...(v['ca-file'] ? { caFile: v['ca-file'] } : {}),
      ...(v.rules ? { rulesDir: v.rules } : {}),
      concurrency: positiveInt('concurrency', v.concurrency, 256, 4096),
      triageConcurrency: positiveInt('triage-concurrency', v['triage-concurrency'], 16, 1024),
      timeoutMs: positiveInt('timeout', v.timeout, 15_000, 600_000),
      dnsTimeoutMs: positiveInt('dns-timeout', v['dns-timeout'], 5000, 600_000),
      ...(v['fail-on'] ? { failOn: parseSeverity(v['fail-on']) } : {}),
      generateOnly: v['generate-only'] ?? false,
      logLevel: logLevel(v['log-level']),
      summary: !v.quiet,
      progress: io.stderr.isTTY ? io.stderr : null,
      signal: io.signal,
      stdout: io.stdout,
    });
  },
} satisfies Command;
