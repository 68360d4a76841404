/** `govscan demo`: its flags and how it runs; the command's code is loaded when it runs, its help when asked for. */
import { EXIT, logLevel, parse, type Command } from '../args.js';

export const demoEntry = {
  summary: 'the whole job against a simulated world on loopback',
  help: async () => (await import('./help.js')).DEMO_HELP,
  async run(args, io) {
    const { demoCommand } = await import('./run.js');
    const { values: v } = parse(args, { out: { type: 'string' }, 'next-quarter': { type: 'boolean' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
    await demoCommand({ out: v.out ?? 'govscan-out/demo', nextQuarter: v['next-quarter'] ?? false, logLevel: logLevel(v['log-level']), signal: io.signal, progress: io.stderr.isTTY ? io.stderr : null, stdout: io.stdout });
    return EXIT.OK;
  },
} satisfies Command;
