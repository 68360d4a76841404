/** `govscan case recheck`: its flags and how it runs; the command's code is loaded when it runs, its help when asked for. */
import { UsageError } from '@govscan/core';
import { netOptions, parseWithPositionals, type Command } from '../args.js';
import { investigateOptions } from '../investigate/options.js';

export const caseEntry = {
  summary: 'case recheck CASE-DIR: capture again, record live, changed or gone',
  help: async () => (await import('../investigate/help.js')).CASE_RECHECK_HELP,
  async run(args, io) {
    const { caseRecheckCommand } = await import('../investigate/run.js');
    const [sub, ...rest] = args;
    if (sub !== 'recheck') throw new UsageError(`case: unknown subcommand ${JSON.stringify(sub ?? '')} (known: recheck)`);
    const { values: v, positionals } = parseWithPositionals(rest, investigateOptions, ['CASE-DIR'], 'case recheck');
    return caseRecheckCommand({ dir: positionals[0]!, ...(v.registry ? { registry: v.registry } : {}), ...netOptions(v, io.signal), stdout: io.stdout });
  },
} satisfies Command;
