/**
 * The command line: one table of commands (packages/cli/src/commands/<name>/:
 * each its flags, its help and its run; the code of a command is loaded when it
 * runs), the top-level help, Ctrl-C, and the exit codes.
 */
import { setMaxListeners } from 'node:events';
import { formatProblems, GovscanError, InputError, toolVersion, UsageError } from '@govscan/core';
import { EXIT, helpWanted, type Command, type CommandIo } from './commands/args.js';
import { scanEntry } from './commands/scan/command.js';
import { demoEntry } from './commands/demo/command.js';
import { lintEntry } from './commands/lint/command.js';
import { huntEntry } from './commands/hunt/command.js';
import { untwistEntry } from './commands/untwist/command.js';
import { diffEntry } from './commands/diff/command.js';
import { investigateEntry } from './commands/investigate/command.js';
import { verifyEntry } from './commands/verify/command.js';
import { caseEntry } from './commands/case/command.js';

export { EXIT, type CommandIo };

const HELP = `govscan ${toolVersion}: security and compliance scans of government websites

Usage:
{{commands}}
  govscan --help | --version

Run 'govscan <command> --help' for a command's options.

Exit codes: 0 ok, 1 findings at or above --fail-on, 2 bad input or usage,
3 internal error, 4 incomplete (a site could not be fully checked; its reports say
what and why), 130 interrupted (reports of what was gathered are written).
`;

/** Every command, by name. */
const commands = {
  scan: scanEntry,
  demo: demoEntry,
  lint: lintEntry,
  hunt: huntEntry,
  untwist: untwistEntry,
  diff: diffEntry,
  investigate: investigateEntry,
  verify: verifyEntry,
  case: caseEntry,
} satisfies Record<string, Command>;

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return HELP.replace('{{commands}}', Object.entries(commands).map(([name, c]) => `  govscan ${name.padEnd(width)}  ${c.summary}`).join('\n'));
}

/** Run the CLI; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } } = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  const interrupt = new AbortController();
  // Every network operation of a run listens to this one signal (as many as run at once, each
  // removing its listener when done): not a leak, so no MaxListenersExceededWarning on stderr.
  setMaxListeners(0, interrupt.signal);
  const onSigint = (): void => {
    if (interrupt.signal.aborted) process.exit(EXIT.INTERRUPTED);
    io.stderr.write('\ngovscan: interrupted; writing what was gathered (Ctrl-C again to quit at once)\n');
    interrupt.abort();
  };
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(mainHelp());
      return name === undefined ? EXIT.INPUT : EXIT.OK;
    }
    if (name === '--version' || name === '-v') {
      io.stdout.write(`${toolVersion}\n`);
      return EXIT.OK;
    }
    if (!Object.hasOwn(commands, name)) throw new UsageError(`unknown command ${JSON.stringify(name)} (commands: ${Object.keys(commands).join(', ')}; see govscan --help)`);
    const command: Command = commands[name as keyof typeof commands];
    if (helpWanted(rest)) {
      io.stdout.write(await command.help());
      return EXIT.OK;
    }
    process.on('SIGINT', onSigint);
    const code = await command.run(rest, { ...io, signal: interrupt.signal });
    return interrupt.signal.aborted ? EXIT.INTERRUPTED : code;
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr.write(`govscan: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} in the input (${err.code}):\n${formatProblems(err.problems)}\n`);
      return EXIT.INPUT;
    }
    if (err instanceof GovscanError) {
      io.stderr.write(`govscan: ${err.message} (${err.code})\n`);
      return err.exitCode;
    }
    io.stderr.write(`govscan: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.INTERNAL;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
