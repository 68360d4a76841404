/**
 * Errors with string codes. `GovscanError.exitCode` tells the CLI how to end:
 * 2 for bad input or usage, 3 for an internal failure.
 */

export interface InputProblem {
  file: string;
  /** 1-based; 0 when the problem concerns the whole file. */
  line: number;
  /** Dotted field path, e.g. `sites[3].code`; empty for the file itself. */
  field: string;
  message: string;
}

export class GovscanError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, options?: { exitCode?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GovscanError';
    this.code = code;
    this.exitCode = options?.exitCode ?? 3;
  }
}

/** Bad input: every problem found in the input, not only the first. Exit code 2. */
export class InputError extends GovscanError {
  readonly problems: InputProblem[];
  constructor(code: string, problems: InputProblem[]) {
    super(code, formatProblems(problems), { exitCode: 2 });
    this.name = 'InputError';
    this.problems = problems;
  }
}

export function formatProblem(p: InputProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  return p.field ? `${where}: ${p.field}: ${p.message}` : `${where}: ${p.message}`;
}

export function formatProblems(problems: InputProblem[]): string {
  return problems.map(formatProblem).join('\n');
}

/** Usage errors (unknown flag, bad flag value). Exit code 2. */
export class UsageError extends GovscanError {
  constructor(message: string) {
    super('E_USAGE', message, { exitCode: 2 });
    this.name = 'UsageError';
  }
}
