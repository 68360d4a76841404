/**
 * `govscan diff OLD NEW` and the checks behind `govscan scan --previous DIR`:
 * quarter-over-quarter rectification (整改核查) by finding fingerprints.
 */
import { access, mkdir, stat } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { compareRuns, GovscanError, SEVERITIES, UsageError, type Rectification, type RunRecord, type Severity } from '@govscan/core';
import { writeCensusReports } from '@govscan/report-census';
import { loadRun } from '@govscan/report-json';
import { parseDeadline } from '@govscan/report-notice';
import { table } from '../../text.js';

/** Read an earlier run's folder now, so that a bad `--previous` stops the scan before any traffic (exit 2). */
export async function checkPreviousRun(dir: string): Promise<RunRecord> {
  try {
    return await loadRun(dir);
  } catch (err) {
    if (err instanceof GovscanError) throw new GovscanError(err.code, `--previous: ${err.message}`, { exitCode: 2 });
    throw err;
  }
}

/** Validate `--deadline` (YYYY-MM-DD or a number of days); a bad value is a usage error (exit 2). */
export function checkDeadline(value: string): string {
  parseDeadline(value, new Date());
  return value;
}


export interface DiffCommandOptions {
  /** Output folder of the earlier run. */
  oldDir: string;
  /** Output folder of the later run. */
  newDir: string;
  /** Where the 汇总表 and rectification files go (default: the later run's folder). */
  out?: string;
  /** Print the rectification table. */
  summary?: boolean;
  problemSeverity?: Severity;
  stdout?: NodeJS.WritableStream;
}

export interface DiffCommandResult {
  rectification: Rectification;
  files: string[];
  exitCode: number;
}

/** The rectification table printed by `govscan diff`: per site with something to say. */
export function renderDiffSummary(r: Rectification): string {
  const rows = r.sites
    .filter((s) => s.previous.length > 0 || s.new.length > 0)
    .map((s) => [s.code, s.name, String(s.previous.length), String(s.fixed.length), String(s.persisting.length), String(s.unverified.length), String(s.new.length), s.mark || '-']);
  const t = r.totals;
  const head = rows.length ? table(['网站标识码', '网站名称', 'before', 'fixed', 'persisting', 'unverified', 'new', '是否完成整改'], rows, [0, 24, 0, 0, 0, 0, 0, 0]) : 'no findings in either run';
  return `${head}\n\n${t.previous} problems before: ${t.fixed} fixed, ${t.persisting} persisting, ${t.unverified} could not be verified; ${t.new} new\n`;
}

/**
 * Compare two run folders: write the 汇总表 with 是否完成整改 filled in, and
 * `rectification.json`/`.md`, into `out` (default NEW). Exit code 0: the
 * comparison is a report, not a gate.
 */
export async function diffCommand(o: DiffCommandOptions): Promise<DiffCommandResult> {
  const [previous, current] = await Promise.all([loadRun(o.oldDir), loadRun(o.newDir)]);
  const out = o.out ?? o.newDir;
  try {
    await mkdir(out, { recursive: true });
    if (!(await stat(out)).isDirectory()) throw new Error('ENOTDIR');
    await access(out, fsConstants.W_OK);
  } catch (err) {
    throw new GovscanError('E_OUT_DIR', `--out: cannot write to ${out} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { exitCode: 2 });
  }
  if (path.resolve(o.oldDir) === path.resolve(o.newDir)) throw new UsageError('diff: OLD and NEW are the same folder');
  // The threshold the later run was made with, unless given.
  const recorded = current.options.problemSeverity;
  const severity = o.problemSeverity ?? (typeof recorded === 'string' && (SEVERITIES as readonly string[]).includes(recorded) ? (recorded as Severity) : undefined);
  const options = severity ? { problemSeverity: severity } : {};
  const rectification = compareRuns(previous, current, options);
  const files = await writeCensusReports(current, out, previous, options);
  if (o.summary !== false) (o.stdout ?? process.stdout).write(renderDiffSummary(rectification) + files.map((f) => `wrote ${f}\n`).join(''));
  return { rectification, files, exitCode: 0 };
}
