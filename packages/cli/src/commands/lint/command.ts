/** `govscan lint`: its flags and how it runs; the command's code is loaded when it runs, its help when asked for. */
import { UsageError } from '@govscan/core';
import { parse, parseSeverity, type Command } from '../args.js';

export const lintEntry = {
  summary: 'check the registry against the naming rules, offline',
  help: async () => (await import('./help.js')).LINT_HELP,
  async run(args, io) {
    const { lintCommand } = await import('./run.js');
    const { values: v } = parse(args, { registry: { type: 'string' }, format: { type: 'string' }, 'fail-on': { type: 'string' }, rules: { type: 'string' } });
    if (!v.registry) throw new UsageError('lint: --registry FILE is required (see govscan lint --help)');
    if (v.format !== undefined && v.format !== 'text' && v.format !== 'json') throw new UsageError(`--format: expected text or json, got ${JSON.stringify(v.format)}`);
    return lintCommand({
      registry: v.registry,
      ...(v.rules ? { rulesDir: v.rules } : {}),
      ...(v.format ? { format: v.format } : {}),
      ...(v['fail-on'] ? { failOn: parseSeverity(v['fail-on']) } : {}),
      stdout: io.stdout,
      stderr: io.stderr,
    });
  },
} satisfies Command;
