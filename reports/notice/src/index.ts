/**
 * 整改通知书: one rectification notice per site with findings, in Chinese,
 * as an editable Word document (.docx, laid out after GB/T 9704 so that it
 * goes onto the office's letterhead and takes its seal) and as HTML.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TextRun } from 'docx';
import { compareRuns, describeReason, formatFact, judgeSites, UsageError, type Finding, type JudgeOptions, type Reporter, type ReportOptions, type RuleInfo, type RunRecord, type ScanRun, type Severity, type SiteJudgement } from '@govscan/core';
import { escapeHtml } from '@govscan/report-census';

export const SEVERITY_ZH: Record<Severity, string> = { critical: '严重', high: '高', medium: '中', low: '低', info: '提示' };
export const DEFAULT_DEADLINE_DAYS = 15;
const MAX_EVIDENCE_PER_PROBLEM = 12;
const MAX_EVIDENCE_CHARS = 300;

export interface NoticeProblem {
  rule: Pick<RuleInfo, 'id' | 'title' | 'severity' | 'description' | 'remediation' | 'reference'>;
  findings: Finding[];
  /** The earlier run found it too and it is still there. */
  persisting: boolean;
}

export interface Notice {
  code: string;
  name: string;
  unit: string;
  url: string;
  /** 检查日期, e.g. 2018年6月6日 */
  checkedOn: string;
  /** 整改期限, e.g. 2018年6月21日 */
  deadline: string;
  problems: NoticeProblem[];
  /** What could not be checked on the site, in plain Chinese: the notice does not pass it over in silence. */
  notChecked: string[];
}

function chinaDay(d: Date): { y: number; m: number; d: number } {
  const x = new Date(d.getTime() + 8 * 3600 * 1000);
  return { y: x.getUTCFullYear(), m: x.getUTCMonth() + 1, d: x.getUTCDate() };
}

function zhDate(c: { y: number; m: number; d: number }): string {
  return `${c.y}年${c.m}月${c.d}日`;
}

/**
 * The deadline: `YYYY-MM-DD`, or a whole number of days after the check
 * (default 15). A malformed value is a usage error.
 */
export function parseDeadline(value: string | undefined, checkedAt: Date): string {
  if (value === undefined || value === '') {
    return zhDate(chinaDay(new Date(checkedAt.getTime() + DEFAULT_DEADLINE_DAYS * 86_400_000)));
  }
  const days = /^\+?(\d{1,3})$/.exec(value);
  if (days) return zhDate(chinaDay(new Date(checkedAt.getTime() + Number(days[1]) * 86_400_000)));
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d) return zhDate({ y, m: mo, d });
  }
  throw new UsageError(`--deadline: expected a date YYYY-MM-DD or a number of days, got ${JSON.stringify(value)}`);
}

/**
 * The notices of a run: one per site with a 突出问题 (the judged model's
 * `problems`: grades, facts and minor notes never make a notice), problems
 * grouped by rule, most severe first; those the earlier run found too are
 * marked.
 */
export function buildNotices(run: RunRecord, options: { deadline?: string; previous?: RunRecord; judged?: readonly SiteJudgement[] } & JudgeOptions = {}): Notice[] {
  const checkedAt = new Date(run.startedAt);
  const deadline = parseDeadline(options.deadline, checkedAt);
  const judgeOptions: JudgeOptions = options.problemSeverity ? { problemSeverity: options.problemSeverity } : {};
  const persisting = new Set<string>();
  if (options.previous) for (const s of compareRuns(options.previous, run, judgeOptions).sites) for (const f of s.persisting) persisting.add(f.id);
  const sites = new Map(run.sites.map((s) => [s.code, s]));
  const notices: Notice[] = [];
  for (const j of options.judged ?? judgeSites(run, judgeOptions)) {
    if (j.problems.length === 0) continue;
    const site = sites.get(j.site.code)!;
    const problems: NoticeProblem[] = j.problems.map((p) => ({ rule: p.rule, findings: p.findings, persisting: p.findings.some((f) => persisting.has(f.id)) }));
    const notChecked = [...new Set(j.undetermined.map((u) => `${u.rule.title.zh}（${describeReason(u.reason)}）`))];
    notices.push({ code: site.code, name: site.name, unit: site.unit, url: site.urls[0] ?? '', checkedOn: zhDate(chinaDay(checkedAt)), deadline, problems, notChecked });
  }
  return notices;
}

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
function numeral(i: number): string {
  if (i < 10) return NUMERALS[i]!;
  if (i < 20) return `十${i === 10 ? '' : NUMERALS[i - 10]!}`;
  return String(i + 1);
}

function evidenceLines(p: NoticeProblem): string[] {
  const lines: string[] = [];
  for (const f of p.findings.slice(0, MAX_EVIDENCE_PER_PROBLEM)) {
    // The observation's own lines: the rule's fact lines (`path: value`, as the judge wrote them) left out.
    const factLines = new Set(Object.entries(f.facts ?? {}).map(([p, v]) => `${p}: ${formatFact(v)}`));
    const own = f.evidence.filter((e) => !factLines.has(e));
    const line = own[0] ?? `${f.target}${f.evidence.length ? `（${f.evidence.join('；')}）` : ''}`;
    lines.push(line.length > MAX_EVIDENCE_CHARS ? `${line.slice(0, MAX_EVIDENCE_CHARS - 1)}…` : line);
  }
  if (p.findings.length > MAX_EVIDENCE_PER_PROBLEM) lines.push(`另有 ${p.findings.length - MAX_EVIDENCE_PER_PROBLEM} 处，详见检查报告。`);
  return lines;
}

const NOTICE_TITLE = '政府网站整改通知书';
const BASIS = '根据《政府网站发展指引》（国办发〔2017〕47号）和《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）有关要求';

/** The text of a notice, paragraph by paragraph: what both the .docx and the HTML render. */
export function noticeParagraphs(n: Notice): { kind: 'number' | 'title' | 'addressee' | 'body' | 'heading' | 'detail' | 'sign'; text: string }[] {
  const out: ReturnType<typeof noticeParagraphs> = [];
  out.push({ kind: 'number', text: '〔　　〕第　　号' });
  out.push({ kind: 'title', text: NOTICE_TITLE });
  out.push({ kind: 'addressee', text: `${n.unit}：` });
  out.push({ kind: 'body', text: `${BASIS}，${n.checkedOn}对你单位主办的“${n.name}”（网站标识码：${n.code}，网址：${n.url}）进行了检查，发现以下${n.problems.length}类问题：` });
  n.problems.forEach((p, i) => {
    out.push({ kind: 'heading', text: `${numeral(i)}、${p.rule.title.zh}（问题等级：${SEVERITY_ZH[p.rule.severity]}${p.persisting ? '；上次检查已发现，尚未整改' : ''}）` });
    out.push({ kind: 'detail', text: `问题说明：${p.rule.description.zh}` });
    const ev = evidenceLines(p);
    out.push({ kind: 'detail', text: `检查情况：${ev[0] ?? ''}` });
    for (const e of ev.slice(1)) out.push({ kind: 'detail', text: e });
    out.push({ kind: 'detail', text: `整改要求：${p.rule.remediation.zh}` });
    if (p.rule.reference) out.push({ kind: 'detail', text: `依据：${p.rule.reference}` });
  });
  if (n.notChecked.length) out.push({ kind: 'body', text: `此外，以下项目本次未能完成检查，不视为合格，请一并自查：${n.notChecked.join('；')}。` });
  out.push({ kind: 'body', text: `请你单位于${n.deadline}前完成整改，并将整改情况书面报送我办。逾期未完成整改的，将按有关规定予以通报。` });
  out.push({ kind: 'body', text: '联系人：　　　　　　联系电话：' });
  out.push({ kind: 'sign', text: '（印发单位盖章）' });
  out.push({ kind: 'sign', text: `${n.checkedOn.replace(/\d+日$/, '')}　　日` });
  return out;
}

const FONT_TITLE = '方正小标宋简体';
const FONT_BODY = '仿宋_GB2312';
const FONT_HEADING = '黑体';

/** The notice as a Word document: A4, GB/T 9704 margins, 3号仿宋 body, 2号小标宋 title. */
export async function noticeDocx(n: Notice): Promise<Buffer> {
  // loaded when a notice is written, not at every start-up
  const { AlignmentType, Document, Packer, Paragraph, TextRun } = await import('docx');
  const run = (text: string, font: string, size: number, bold = false): TextRun => new TextRun({ text, font: { eastAsia: font, ascii: font, hAnsi: font }, size, bold });
  const children = noticeParagraphs(n).map((p) => {
    switch (p.kind) {
      case 'number':
        return new Paragraph({ alignment: AlignmentType.RIGHT, children: [run(p.text, FONT_BODY, 32)] });
      case 'title':
        return new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 240, after: 480 }, children: [run(p.text, FONT_TITLE, 44)] });
      case 'addressee':
        return new Paragraph({ spacing: { line: 560 }, children: [run(p.text, FONT_BODY, 32)] });
      case 'heading':
        return new Paragraph({ spacing: { line: 560 }, indent: { firstLine: 640 }, children: [run(p.text, FONT_HEADING, 32)] });
      case 'sign':
        return new Paragraph({ alignment: AlignmentType.RIGHT, spacing: { line: 560 }, indent: { right: 640 }, children: [run(p.text, FONT_BODY, 32)] });
      default:
        return new Paragraph({ spacing: { line: 560 }, indent: { firstLine: 640 }, children: [run(p.text, FONT_BODY, 32)] });
    }
  });
  const doc = new Document({
    creator: 'govscan',
    title: `${NOTICE_TITLE}（${n.name}）`,
    sections: [{ properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 2098, bottom: 1984, left: 1588, right: 1474 } } }, children }],
  });
  return Packer.toBuffer(doc);
}

const CSS = `body{font-family:"FangSong","仿宋_GB2312","STFangsong",serif;font-size:16pt;line-height:28pt;margin:0;background:#eee}
.notice{background:#fff;width:210mm;min-height:297mm;box-sizing:border-box;padding:37mm 26mm 35mm 28mm;margin:1em auto;page-break-after:always}
.number{text-align:right}.title{font-family:"方正小标宋简体","SimHei",serif;font-size:22pt;text-align:center;margin:0 0 1.5em}
.body,.detail,.heading{text-indent:2em;margin:0}.heading{font-family:"SimHei","黑体",sans-serif}.detail{word-break:break-all}
.sign{text-align:right;margin:0 2em 0 0}.addressee{margin:0}
@media print{body{background:#fff}.notice{margin:0;width:auto;min-height:0}}`;

/** One or more notices as one HTML page (each printed on its own sheet). All text escaped. */
export function noticesHtml(notices: Notice[], unchecked = 0): string {
  const e = escapeHtml;
  const body = notices
    .map((n) => `<section class="notice" id="n${e(n.code)}">\n${noticeParagraphs(n).map((p) => `<p class="${p.kind}">${e(p.text)}</p>`).join('\n')}\n</section>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(notices.length === 1 ? `${NOTICE_TITLE}（${notices[0]!.name}）` : NOTICE_TITLE)}</title>
<style>${CSS}</style>
</head>
<body>
${body || `<p class="body">${e(emptyNote(unchecked))}</p>`}
</body>
</html>
`;
}

/** What an empty notices page says: nothing to rectify only when every site was checked through. */
function emptyNote(unchecked: number): string {
  return unchecked === 0 ? '本次检查全部完成，未发现需要整改的问题。' : `本次没有需要发出的整改通知书；但有 ${unchecked} 个网站未能完整检查（见汇总表），不视为合格。`;
}

/** A file name for a site's notice: the code and the name, without characters file systems refuse. */
export function noticeFileBase(n: Pick<Notice, 'code' | 'name'>): string {
  const name = [...n.name.replace(/[\\/:*?"<>|\u0000-\u001f\s]+/g, '_')].slice(0, 40).join('');
  return `${n.code}-${name}`;
}

/** The run judged once for both the notices and the empty page's note. */
function judgedFor(run: RunRecord, o: ReportOptions): SiteJudgement[] {
  return judgeSites(run, o.problemSeverity ? { problemSeverity: o.problemSeverity } : {});
}

const uncheckedCount = (judged: readonly SiteJudgement[]): number => judged.filter((j) => j.undetermined.length > 0).length;

function noticeOptions(o: ReportOptions): Parameters<typeof buildNotices>[1] {
  return { ...(o.deadline ? { deadline: o.deadline } : {}), ...(o.previous ? { previous: o.previous } : {}), ...(o.problemSeverity ? { problemSeverity: o.problemSeverity } : {}) };
}

export const NOTICES_DIR = 'notices';
export const NOTICES_HTML = 'notices.html';

/**
 * `--format notice`: `notices/<code>-<name>.docx` and `.html` per site with
 * findings, and all of them in `notices.html`.
 */
export const noticeReporter: Reporter = {
  id: 'notice',
  fileName: NOTICES_HTML,
  render(run: ScanRun, options: ReportOptions = {}): string {
    const judged = judgedFor(run, options);
    return noticesHtml(buildNotices(run, { ...noticeOptions(options), judged }), uncheckedCount(judged));
  },
  async write(run: ScanRun, dir: string, options: ReportOptions = {}): Promise<string[]> {
    const judged = judgedFor(run, options);
    const notices = buildNotices(run, { ...noticeOptions(options), judged });
    const files: string[] = [];
    const sub = path.join(dir, NOTICES_DIR);
    if (notices.length > 0) await mkdir(sub, { recursive: true });
    for (const n of notices) {
      const base = path.join(sub, noticeFileBase(n));
      await writeFile(`${base}.docx`, await noticeDocx(n));
      await writeFile(`${base}.html`, noticesHtml([n]));
      files.push(`${base}.docx`, `${base}.html`);
    }
    const all = path.join(dir, NOTICES_HTML);
    await writeFile(all, noticesHtml(notices, uncheckedCount(judged)));
    files.push(all);
    return files;
  },
};
