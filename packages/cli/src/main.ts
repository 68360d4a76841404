import { setMaxListeners } from 'node:events';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatProblems, GovscanError, InputError, LOG_LEVELS, toolVersion, UsageError, type LogLevel } from '@govscan/core';
import { demoCommand } from './demo.js';
import { HUNT_HELP, huntCommand, UNTWIST_HELP, untwistCommand } from './hunt.js';
import { CASE_RECHECK_HELP, caseRecheckCommand, INVESTIGATE_HELP, investigateCommand, investigateOptions, VERIFY_HELP, verifyCommand, verifyOptions, type NetOptions } from './investigate.js';
import { DIFF_HELP, diffCommand } from './diff.js';
import { LINT_HELP, lintCommand } from './lint.js';
import { parseSeverity, scanCommand } from './scan.js';
import { reporters, scanners } from './tables.js';

/** Exit codes, as documented in the README. */
export const EXIT = { OK: 0, FINDINGS: 1, INPUT: 2, INTERNAL: 3, INCOMPLETE: 4, INTERRUPTED: 130 } as const;

const HELP = `govscan ${toolVersion}: security and compliance scans of government websites

Usage:
{{commands}}
  govscan --help | --version

Run 'govscan <command> --help' for a command's options.

Exit codes: 0 ok, 1 findings at or above --fail-on, 2 bad input or usage,
3 internal error, 4 incomplete (a site could not be fully checked; its reports say
what and why), 130 interrupted (reports of what was gathered are written).
`;

const SCAN_HELP = `Usage: govscan scan --registry FILE [options]

  --registry FILE          site registry (名录), YAML or CSV (required)
  --scanners a,b           scanners to run (default: all: ${Object.keys(scanners).join(', ')})
  --sites CODE,...         only these site codes (网站标识码)
  --resolver HOST:PORT     send every DNS query of the run to this server
  --connect-to H1:P1:H2:P2 connect to H2:P2 for requests to H1:P1 (curl's meaning; repeatable;
                           empty parts match any / keep the original)
  --out DIR                output folder (default: govscan-out)
  --format a,b             report formats (default: ${Object.keys(reporters).join(',')})
  --concurrency N          sites scanned at once (default: 16)
  --timeout MS             timeout of each network operation (default: 15000)
  --fail-on SEVERITY       exit 1 when a finding is at or above: info|low|medium|high|critical
  --problem-severity SEV   lowest severity of a 突出问题 in the 汇总表, notices and counts
                           (default: low; census indicators always count)
  --allow-private-targets  contact unregistered targets that resolve to private addresses
  --ca-file PEM            extra trusted CA certificates (added to node's and NODE_EXTRA_CA_CERTS)
  --rules DIR              rule files (default: the rules/ folder shipped with govscan)
  --previous DIR           an earlier run's output folder: fill in 是否完成整改 (new, fixed and
                           persisting findings per site), write rectification.json/.md
  --deadline DATE|DAYS     deadline of the 整改通知书 (YYYY-MM-DD, or days after the scan; default 15)
  --log-level LEVEL        ${LOG_LEVELS.join('|')} (default: warn); logs go to stderr
  --quiet                  do not print the summary table

findings.json (the run's judged record, which --previous and diff read) is always written.
Exit 0; 1 a finding at or above --fail-on; 4 a site could not be fully checked (the
summary, the 汇总表 and the reports say which and why); 2 bad input; 130 interrupted.
`;

const DEMO_HELP = `Usage: govscan demo [--out DIR] [--next-quarter] [--log-level LEVEL]

Starts a simulated world on loopback (a DNS server, HTTP and HTTPS virtual hosts
with their own CA) holding the 41 sites of the Ya'an example registry, some of
them broken the way the 2018 Q2 census found them, and counterfeits of the
portal; scans it with every scanner; writes every report to DIR (default:
govscan-out/demo); investigates the reported counterfeits (case bundles and
dossiers in DIR/cases); prints a summary; stops the world.

  --next-quarter   the world after the rectification: scans it into DIR/next-quarter
                   and compares with the run in DIR (是否完成整改)

Needs no root and no network.
`;

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

function list(s: string | undefined): string[] | undefined {
  return s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean);
}

function positiveInt(name: string, s: string | undefined, def: number, max: number): number {
  if (s === undefined) return def;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name}: expected a whole number from 1 to ${max}, got ${JSON.stringify(s)}`);
  return n;
}

function logLevel(s: string | undefined): LogLevel {
  if (s === undefined) return (process.env.GOVSCAN_LOG_LEVEL as LogLevel | undefined) ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(s)) throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}`);
  return s as LogLevel;
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Parse a command that takes exactly `count` positional arguments. */
function parseWithPositionals<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, names: string[], command: string) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== names.length) throw new UsageError(`${command}: expected ${names.join(' ')} (see govscan ${command} --help)`);
  return parsed;
}

/** The network flags investigate and case recheck share. */
function netOptions(v: { resolver?: string; 'connect-to'?: string[]; 'ca-file'?: string; 'allow-private-targets'?: boolean; timeout?: string; 'browser-timeout'?: string; 'max-bytes'?: string; tsa?: string; 'tsa-cert'?: string }, signal: AbortSignal): NetOptions {
  return {
    ...(v.resolver ? { resolver: v.resolver } : {}),
    connectTo: v['connect-to'] ?? [],
    ...(v['ca-file'] ? { caFile: v['ca-file'] } : {}),
    allowPrivateTargets: v['allow-private-targets'] ?? false,
    ...(v.timeout !== undefined ? { timeoutMs: positiveInt('timeout', v.timeout, 0, 600_000) } : {}),
    ...(v['browser-timeout'] !== undefined ? { browserTimeoutMs: positiveInt('browser-timeout', v['browser-timeout'], 0, 600_000) } : {}),
    ...(v['max-bytes'] !== undefined ? { maxBytes: positiveInt('max-bytes', v['max-bytes'], 0, 512 * 1024 * 1024) } : {}),
    ...(v.tsa ? { tsa: v.tsa } : {}),
    ...(v['tsa-cert'] ? { tsaCert: v['tsa-cert'] } : {}),
    signal,
  };
}

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborted on Ctrl-C: stop starting work, keep and write what was gathered. */
  signal: AbortSignal;
}

interface Command {
  summary: string;
  help: string;
  run(args: string[], io: CommandIo): Promise<number>;
}

function helpWanted(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/** Every command, by name. */
const commands = {
  scan: {
    summary: 'scan the registered sites, write reports',
    help: SCAN_HELP,
    async run(args, io) {
      const { values: v } = parse(args, scanOptions);
      if (!v.registry) throw new UsageError('scan: --registry FILE is required (see govscan scan --help)');
      const result = await scanCommand({
        registry: v.registry,
        scanners: list(v.scanners),
        sites: list(v.sites),
        ...(v.resolver ? { resolver: v.resolver } : {}),
        connectTo: v['connect-to'] ?? [],
        out: v.out ?? 'govscan-out',
        formats: list(v.format) ?? Object.keys(reporters),
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
  },
  demo: {
    summary: 'the whole job against a simulated world on loopback',
    help: DEMO_HELP,
    async run(args, io) {
      const { values: v } = parse(args, { out: { type: 'string' }, 'next-quarter': { type: 'boolean' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
      await demoCommand({ out: v.out ?? 'govscan-out/demo', nextQuarter: v['next-quarter'] ?? false, logLevel: logLevel(v['log-level']), signal: io.signal, progress: io.stderr.isTTY ? io.stderr : null, stdout: io.stdout });
      return EXIT.OK;
    },
  },
  lint: {
    summary: 'check the registry against the naming rules, offline',
    help: LINT_HELP,
    async run(args, io) {
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
  },
  hunt: {
    summary: 'lookalike domains of every registered site → resolved, triaged, classified',
    help: HUNT_HELP,
    async run(args, io) {
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
  },
  untwist: {
    summary: 'score observed domains (a feed, logs) against the whole registry',
    help: UNTWIST_HELP,
    async run(args, io) {
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
  },
  diff: {
    summary: 'compare two runs: new, fixed and persisting findings per site (是否完成整改)',
    help: DIFF_HELP,
    async run(args, io) {
      const { values: v, positionals } = parseWithPositionals(args, { out: { type: 'string' }, quiet: { type: 'boolean' } }, ['OLD-DIR', 'NEW-DIR'], 'diff');
      const r = await diffCommand({ oldDir: positionals[0]!, newDir: positionals[1]!, ...(v.out ? { out: v.out } : {}), summary: !v.quiet, stdout: io.stdout });
      return r.exitCode;
    },
  },
  investigate: {
    summary: 'a reported site → evidence bundle and takedown dossier',
    help: INVESTIGATE_HELP,
    async run(args, io) {
      const { values: v, positionals } = parseWithPositionals(args, investigateOptions, ['<url>'], 'investigate');
      if (!v.registry) throw new UsageError('investigate: --registry FILE is required (see govscan investigate --help)');
      const r = await investigateCommand({ url: positionals[0]!, registry: v.registry, out: v.out ?? 'govscan-out/cases', ...(v['case-config'] ? { caseConfig: v['case-config'] } : {}), ...netOptions(v, io.signal), stdout: io.stdout });
      return r.exitCode;
    },
  },
  verify: {
    summary: 'check a case bundle: manifest, custody chain, timestamp',
    help: VERIFY_HELP,
    async run(args, io) {
      const { values: v, positionals } = parseWithPositionals(args, verifyOptions, ['CASE-DIR'], 'verify');
      return verifyCommand({ dir: positionals[0]!, ...(v['tsa-cert'] ? { tsaCert: v['tsa-cert'] } : {}), stdout: io.stdout });
    },
  },
  case: {
    summary: 'case recheck CASE-DIR: capture again, record live, changed or gone',
    help: CASE_RECHECK_HELP,
    async run(args, io) {
      const [sub, ...rest] = args;
      if (sub !== 'recheck') throw new UsageError(`case: unknown subcommand ${JSON.stringify(sub ?? '')} (known: recheck)`);
      const { values: v, positionals } = parseWithPositionals(rest, investigateOptions, ['CASE-DIR'], 'case recheck');
      return caseRecheckCommand({ dir: positionals[0]!, ...(v.registry ? { registry: v.registry } : {}), ...netOptions(v, io.signal), stdout: io.stdout });
    },
  },
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
      io.stdout.write(command.help);
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
