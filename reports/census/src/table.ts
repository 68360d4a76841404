/**
 * The 汇总表 (census summary table) in the shape offices exchange:
 * 序号, 网站名称, 网站标识码, 存在的突出问题, 是否完成整改 — one row per
 * registry site, in registry order, the problems in plain Chinese.
 */
import ExcelJS from 'exceljs';
import type { Finding } from '@govscan/core';
import type { CensusRecord, RecordRule } from './record.js';
import type { Rectification, SiteRectification } from './rectify.js';

export const TABLE_HEADER = ['序号', '网站名称', '网站标识码', '存在的突出问题', '是否完成整改'] as const;
export const TABLE_TITLE = '政府网站普查情况汇总表';

/** How the table words each census problem (the words of the seed's table where it has them). */
export const PROBLEM_PHRASES: Record<string, string> = {
  'census.unreachable': '网站无法访问',
  'census.slow': '网站速度较慢',
  'census.homepage.stale': '首页信息更新不及时',
  'census.column.stale': '栏目更新不及时',
  'census.column.empty': '存在空白栏目',
  'census.item.undated': '信息未标注发布日期',
  'census.links.broken': '链接无法打开',
  'census.images.broken': '图片没有显示',
  'census.links.external': '信息存在外部链接',
  'census.content.duplicate': '信息重复发布',
};

/** Rules that belong in the 汇总表: those tagged `census` (the 普查 indicators). */
export function inCensusScope(rules: readonly Pick<RecordRule, 'id' | 'tags'>[]): (f: Finding) => boolean {
  const ids = new Set(rules.filter((r) => r.tags.includes('census')).map((r) => r.id));
  return (f) => ids.has(f.ruleId);
}

/**
 * What asks for rectification: every finding above `info` (grades and notes are not
 * problems), and every census finding, since the 汇总表 lists them all (信息存在外部链接 is one).
 */
export function isProblem(rules: readonly Pick<RecordRule, 'id' | 'tags'>[]): (f: Finding) => boolean {
  const census = inCensusScope(rules);
  return (f) => f.severity !== 'info' || census(f);
}

/** The value of an evidence line `path: value`, as the judge writes it. */
export function evidenceValue(f: Finding, fact: string): string | null {
  const prefix = `${fact}: `;
  const line = f.evidence.find((e) => e.startsWith(prefix));
  return line === undefined ? null : line.slice(prefix.length);
}

/** Scanned text put into a cell: no control characters, bounded length. */
function clean(s: string, max = 20): string {
  const t = s.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return [...t].length > max ? `${[...t].slice(0, max - 1).join('')}…` : t;
}

/**
 * The problems of one site's findings in plain Chinese, most severe first,
 * each once: `链接无法打开（2处）、栏目更新不及时（要闻动态、政策文件）`.
 */
export function problemPhrases(findings: readonly Finding[]): string {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.ruleId, [...(groups.get(f.ruleId) ?? []), f]);
  const parts: string[] = [];
  for (const [ruleId, fs] of groups) {
    const phrase = PROBLEM_PHRASES[ruleId] ?? fs[0]!.title.zh;
    if (ruleId === 'census.column.stale' || ruleId === 'census.column.empty') {
      const names = [...new Set(fs.map((f) => clean(evidenceValue(f, 'name') ?? '')).filter(Boolean))];
      parts.push(names.length ? `${phrase}（${names.join('、')}）` : phrase);
    } else if (fs.length > 1 && (ruleId.startsWith('census.links.') || ruleId === 'census.images.broken')) parts.push(`${phrase}（${fs.length}处）`);
    else parts.push(phrase);
  }
  return parts.join('、');
}

export interface CensusRow {
  序号: number;
  网站名称: string;
  网站标识码: string;
  存在的突出问题: string;
  是否完成整改: string;
}

function markText(r: SiteRectification): string {
  if (r.mark === '否') return `否（未整改：${problemPhrases(r.persisting)}）`;
  if (r.mark === '未核实') return `未核实（本次未能检查：${problemPhrases(r.unverified)}）`;
  return r.mark;
}

/**
 * The rows. Without an earlier run: the problems found, 是否完成整改 empty.
 * With one: the problems the earlier run found (those to rectify), any new
 * ones after them, and whether the earlier ones are fixed.
 */
export function censusRows(current: CensusRecord, rectification?: Rectification): CensusRow[] {
  const scope = inCensusScope(current.rules);
  const bySite = new Map(rectification?.sites.map((s) => [s.code, s]) ?? []);
  return current.sites.map((site, i) => {
    const row: CensusRow = { 序号: i + 1, 网站名称: site.name, 网站标识码: site.code, 存在的突出问题: '无', 是否完成整改: '' };
    const r = bySite.get(site.code);
    if (!rectification || !r) {
      row.存在的突出问题 = problemPhrases(current.findings.filter((f) => f.site.code === site.code && scope(f))) || '无';
      return row;
    }
    const before = problemPhrases(r.previous);
    const fresh = problemPhrases(r.new);
    row.存在的突出问题 = [before, fresh ? `${before ? '；' : ''}新发现：${fresh}` : ''].join('') || '无';
    row.是否完成整改 = markText(r);
    return row;
  });
}

// ---------------------------------------------------------------------------
// Formats.

/** A cell that a spreadsheet would read as a formula is prefixed with an apostrophe. */
function safeCell(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvField(s: string): string {
  const v = safeCell(s);
  return /[",\r\n、]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV, UTF-8 with a byte-order mark so that Excel and WPS open it as UTF-8; CRLF line ends. */
export function renderCsv(rows: CensusRow[]): string {
  const lines = [TABLE_HEADER.join(','), ...rows.map((r) => TABLE_HEADER.map((h) => csvField(String(r[h]))).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\r?\n/g, ' ');
}

export interface TableMeta {
  /** Registry title, scan date and the like, shown under the title. */
  subtitle: string;
}

export function renderMarkdown(rows: CensusRow[], meta: TableMeta): string {
  const head = `| ${TABLE_HEADER.join(' | ')} |\n| ${TABLE_HEADER.map((h) => (h === '序号' ? '--:' : '---')).join(' | ')} |\n`;
  const body = rows.map((r) => `| ${TABLE_HEADER.map((h) => mdCell(String(r[h]))).join(' | ')} |`).join('\n');
  return `# ${TABLE_TITLE}\n\n${mdCell(meta.subtitle)}\n\n${head}${body}\n`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderHtmlTable(rows: CensusRow[], meta: TableMeta): string {
  const e = escapeHtml;
  const body = rows.map((r) => `<tr>${TABLE_HEADER.map((h) => `<td>${e(String(r[h]))}</td>`).join('')}</tr>`).join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(TABLE_TITLE)}</title>
<style>
body{font-family:"SimSun","Songti SC",serif;margin:2em}
h1{font-family:"SimHei","Heiti SC",sans-serif;text-align:center;font-size:1.5em}
p.sub{text-align:center;color:#444}
table{border-collapse:collapse;margin:0 auto;min-width:60%}
th,td{border:1px solid #000;padding:.3em .6em;vertical-align:middle}
th{font-family:"SimHei","Heiti SC",sans-serif;background:#f2f2f2}
td:nth-child(1),td:nth-child(3),td:nth-child(5){text-align:center}
</style>
</head>
<body>
<h1>${e(TABLE_TITLE)}</h1>
<p class="sub">${e(meta.subtitle)}</p>
<table>
<thead><tr>${TABLE_HEADER.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}

/** The Excel workbook (.xlsx): a title row, the subtitle, the header, the rows; bordered, wrapped, printable. */
export async function renderXlsx(rows: CensusRow[], meta: TableMeta & { created?: Date }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'govscan';
  if (meta.created) {
    wb.created = meta.created;
    wb.modified = meta.created;
  }
  const ws = wb.addWorksheet('汇总表', { pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.columns = [{ width: 6 }, { width: 36 }, { width: 14 }, { width: 40 }, { width: 14 }];
  ws.mergeCells('A1:E1');
  ws.getCell('A1').value = TABLE_TITLE;
  ws.getCell('A1').font = { name: '黑体', size: 16, bold: true };
  ws.getCell('A1').alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 30;
  ws.mergeCells('A2:E2');
  ws.getCell('A2').value = meta.subtitle;
  ws.getCell('A2').alignment = { horizontal: 'center' };
  ws.getCell('A2').font = { name: '宋体', size: 10 };
  const header = ws.getRow(3);
  header.values = [...TABLE_HEADER];
  header.font = { name: '黑体', size: 11, bold: true };
  const border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } } as const;
  for (const r of rows) ws.addRow([r.序号, safeCell(r.网站名称), r.网站标识码, safeCell(r.存在的突出问题), safeCell(r.是否完成整改)]);
  for (let i = 3; i <= rows.length + 3; i++) {
    const row = ws.getRow(i);
    for (let c = 1; c <= 5; c++) {
      const cell = row.getCell(c);
      cell.border = border;
      cell.alignment = { vertical: 'middle', horizontal: c === 2 || c === 4 ? 'left' : 'center', wrapText: true };
      if (i > 3) cell.font = { name: '宋体', size: 11 };
    }
  }
  // The site code is an identifier, not a number: keep it text so no leading digit is lost.
  for (let i = 4; i <= rows.length + 3; i++) ws.getRow(i).getCell(3).numFmt = '@';
  ws.views = [{ state: 'frozen', ySplit: 3 }];
  ws.pageSetup.printTitlesRow = '3:3';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function subtitle(record: CensusRecord, rectification?: Rectification): string {
  const day = (iso: string): string => {
    const d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
  };
  const parts = [record.registry.title ? `名录：${record.registry.title}` : null, `检查日期：${day(record.startedAt)}`, rectification ? `整改核查对照：${day(rectification.previous.startedAt)}的检查` : null];
  return parts.filter(Boolean).join('　');
}
