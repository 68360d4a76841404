/** `govscan diff`: its flags and how it runs; the command's code is loaded when it runs, its help when asked for. */
import { parseWithPositionals, type Command } from '../args.js';

export const diffEntry = {
  summary: 'compare two runs: new, fixed and persisting findings per site (是否完成整改)',
  help: async () => (await import('./help.js')).DIFF_HELP,
  async run(args, io) {
    const { diffCommand } = await import('./run.js');
    const { values: v, positionals } = parseWithPositionals(args, { out: { type: 'string' }, quiet: { type: 'boolean' } }, ['OLD-DIR', 'NEW-DIR'], 'diff');
    const r = await diffCommand({ oldDir: positionals[0]!, newDir: positionals[1]!, ...(v.out ? { out: v.out } : {}), summary: !v.quiet, stdout: io.stdout });
    return r.exitCode;
  },
} satisfies Command;
