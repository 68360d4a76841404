/** `govscan verify`: its flags and how it runs; the command's code is loaded when it runs, its help when asked for. */
import { parseWithPositionals, type Command } from '../args.js';
import { verifyOptions } from '../investigate/options.js';

export const verifyEntry = {
  summary: 'check a case bundle: manifest, custody chain, timestamp',
  help: async () => (await import('../investigate/help.js')).VERIFY_HELP,
  async run(args, io) {
    const { verifyCommand } = await import('../investigate/run.js');
    const { values: v, positionals } = parseWithPositionals(args, verifyOptions, ['CASE-DIR'], 'verify');
    return verifyCommand({ dir: positionals[0]!, ...(v['tsa-cert'] ? { tsaCert: v['tsa-cert'] } : {}), stdout: io.stdout });
  },
} satisfies Command;
