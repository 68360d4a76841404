/** `govscan investigate`: its flags and how it runs; the command's code is loaded when it runs, its help when asked for. */
import { UsageError } from '@govscan/core';
import { netOptions, parseWithPositionals, type Command } from '../args.js';
import { investigateOptions } from './options.js';

export const investigateEntry = {
  summary: 'a reported site → evidence bundle and takedown dossier',
  help: async () => (await import('./help.js')).INVESTIGATE_HELP,
  async run(args, io) {
    const { investigateCommand } = await import('./run.js');
    const { values: v, positionals } = parseWithPositionals(args, investigateOptions, ['<url>'], 'investigate');
    if (!v.registry) throw new UsageError('investigate: --registry FILE is required (see govscan investigate --help)');
    const r = await investigateCommand({ url: positionals[0]!, registry: v.registry, out: v.out ?? 'govscan-out/cases', ...(v['case-config'] ? { caseConfig: v['case-config'] } : {}), ...netOptions(v, io.signal), stdout: io.stdout });
    return r.exitCode;
  },
} satisfies Command;
