/** `govscan untwist`: its flags and how it runs; the command's code is loaded when it runs, its help when asked for. */
import { UsageError } from '@govscan/core';
import { parseWithPositionals, type Command } from '../args.js';

export const untwistEntry = {
  summary: 'score observed domains (a feed, logs) against the whole registry',
  help: async () => (await import('../hunt/help.js')).UNTWIST_HELP,
  async run(args, io) {
    const { untwistCommand } = await import('../hunt/run.js');
    const { values: v, positionals } = parseWithPositionals(args, { registry: { type: 'string' }, format: { type: 'string' }, 'min-score': { type: 'string' }, 'fail-on-match': { type: 'boolean' } }, ['FILE|-'], 'untwist');
    if (!v.registry) throw new UsageError('untwist: --registry FILE is required (see govscan untwist --help)');
    if (v.format !== undefined && !['table', 'json', 'csv'].includes(v.format)) throw new UsageError(`--format: expected table, json or csv, got ${JSON.stringify(v.format)}`);
    let minScore: number | undefined;
    if (v['min-score'] !== undefined) {
      minScore = Number(v['min-score']);
      if (!Number.isFinite(minScore)) throw new UsageError(`--min-score: expected a number, got ${JSON.stringify(v['min-score'])}`);
    }
    return untwistCommand({
      registry: v.registry,
      input: positionals[0]!,
      ...(v.format ? { format: v.format as 'table' | 'json' | 'csv' } : {}),
      ...(minScore !== undefined ? { minScore } : {}),
      failOnMatch: v['fail-on-match'] ?? false,
      stdout: io.stdout,
    });
  },
} satisfies Command;
