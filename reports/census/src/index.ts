/**
 * The census reports: the 汇总表 as .xlsx, CSV (UTF-8 with BOM), Markdown and
 * HTML, from the judged model; and, given an earlier run (read once, by
 * `loadRun` of @govscan/report-json), `rectification.json`/`.md`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compareRuns, type JudgeOptions, type Rectification, type Reporter, type ReportOptions, type RunRecord, type ScanRun } from '@govscan/core';
import { censusRows, renderCsv, renderHtmlTable, renderMarkdown, renderXlsx, subtitle } from './table.js';

export * from './table.js';

export const CENSUS_FILES = {
  xlsx: 'census-table.xlsx',
  csv: 'census-table.csv',
  md: 'census-table.md',
  html: 'census-table.html',
  rectificationJson: 'rectification.json',
  rectificationMd: 'rectification.md',
} as const;

function findingLine(f: { ruleId: string; title: { zh: string }; target: string; severity: string }): string {
  return `${f.title.zh}（${f.ruleId}，${f.severity}）：${f.target}`;
}

/** The rectification check as Markdown: per site, what was fixed, what remains, what could not be checked, what is new. */
export function renderRectificationMarkdown(r: Rectification): string {
  const t = r.totals;
  const lines = [
    '# 整改核查情况',
    '',
    `对照 ${r.previous.startedAt}${r.previous.source ? `（${r.previous.source}）` : ''} 与 ${r.current.startedAt} 两次检查：上次问题 ${t.previous} 个，已整改 ${t.fixed} 个，未整改 ${t.persisting} 个，未能核实 ${t.unverified} 个；新发现 ${t.new} 个。`,
    '',
  ];
  for (const s of r.sites) {
    if (s.previous.length === 0 && s.new.length === 0) continue;
    lines.push(`## ${s.name}（${s.code}）${s.mark ? `：是否完成整改 ${s.mark}` : ''}`, '');
    const block = (label: string, fs: typeof s.fixed): void => {
      if (fs.length === 0) return;
      lines.push(`- ${label}：`);
      for (const f of fs) lines.push(`  - ${findingLine(f).replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))}`);
    };
    block('已整改', s.fixed);
    block('未整改', s.persisting);
    block('未能核实', s.unverified);
    block('新发现', s.new);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Rectification as JSON: finding ids and rule ids per site. */
export function rectificationJson(r: Rectification): string {
  const ids = (fs: { id: string; ruleId: string; target: string }[]) => fs.map((f) => ({ id: f.id, ruleId: f.ruleId, target: f.target }));
  return `${JSON.stringify(
    {
      previous: r.previous,
      current: r.current,
      totals: r.totals,
      sites: r.sites.map((s) => ({ code: s.code, name: s.name, rectified: s.mark, fixed: ids(s.fixed), persisting: ids(s.persisting), unverified: ids(s.unverified), new: ids(s.new) })),
    },
    null,
    2,
  )}\n`;
}

/**
 * Write the 汇总表 in every format and — given an earlier run — the
 * rectification files. Returns the paths written.
 */
export async function writeCensusReports(current: RunRecord, dir: string, previous?: RunRecord, options: JudgeOptions = {}): Promise<string[]> {
  const rectification = previous ? compareRuns(previous, current, options) : undefined;
  const rows = censusRows(current, rectification, options, previous);
  const meta = { subtitle: subtitle(current, rectification) };
  const files: [string, string | Buffer][] = [
    [CENSUS_FILES.xlsx, await renderXlsx(rows, { ...meta, created: new Date(current.startedAt) })],
    [CENSUS_FILES.csv, renderCsv(rows)],
    [CENSUS_FILES.md, renderMarkdown(rows, meta)],
    [CENSUS_FILES.html, renderHtmlTable(rows, meta)],
  ];
  if (rectification) {
    files.push([CENSUS_FILES.rectificationJson, rectificationJson(rectification)]);
    files.push([CENSUS_FILES.rectificationMd, renderRectificationMarkdown(rectification)]);
  }
  const written: string[] = [];
  for (const [name, content] of files) {
    const file = path.join(dir, name);
    await writeFile(file, content);
    written.push(file);
  }
  return written;
}

const judgeOptions = (o: ReportOptions): JudgeOptions => (o.problemSeverity ? { problemSeverity: o.problemSeverity } : {});

/**
 * `--format census`: the 汇总表 (.xlsx, .csv, .md, .html); with `--previous DIR`,
 * 是否完成整改 filled in and the rectification files.
 */
export const censusReporter: Reporter = {
  id: 'census',
  fileName: CENSUS_FILES.md,
  render(run: ScanRun, options: ReportOptions = {}): string {
    const rectification = options.previous ? compareRuns(options.previous, run, judgeOptions(options)) : undefined;
    return renderMarkdown(censusRows(run, rectification, judgeOptions(options), options.previous), { subtitle: subtitle(run, rectification) });
  },
  async write(run: ScanRun, dir: string, options: ReportOptions = {}): Promise<string[]> {
    return writeCensusReports(run, dir, options.previous, judgeOptions(options));
  },
};
