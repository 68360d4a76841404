/**
 * The 汇总表 (census summary table) in the shape offices exchange:
 * 序号, 网站名称, 网站标识码, 存在的突出问题, 是否完成整改 — one row per
 * registry site, in registry order, the problems in plain Chinese.
 */
import { censusCells, judgeSites, rulesOf, toCsv, type JudgeOptions, type Rectification, type RunRecord, type SiteState } from '@govscan/core';

export const TABLE_HEADER = ['序号', '网站名称', '网站标识码', '存在的突出问题', '是否完成整改'] as const;
export const TABLE_TITLE = '政府网站普查情况汇总表';

export interface CensusRow {
  序号: number;
  网站名称: string;
  网站标识码: string;
  存在的突出问题: string;
  是否完成整改: string;
  /** What the judged model says of the site: the colour of the row. */
  state: SiteState;
}

/**
 * The rows, one per site of the run in registry order, from the judged model
 * (`judgeSites`, `censusCells`): nothing here decides what a problem is.
 */
export function censusRows(current: RunRecord, rectification?: Rectification, options: JudgeOptions = {}, previous?: RunRecord): CensusRow[] {
  const bySite = new Map(rectification?.sites.map((s) => [s.code, s]) ?? []);
  const rules = previous ? rulesOf(previous, current) : rulesOf(current);
  return judgeSites(current, options).map((j, i) => {
    const cells = censusCells(j, bySite.get(j.site.code), rules);
    return { 序号: i + 1, 网站名称: j.site.name, 网站标识码: j.site.code, 存在的突出问题: cells.problems, 是否完成整改: cells.rectified, state: j.state };
  });
}

/** What 无 means, under every table. */
export const TABLE_LEGEND = '说明：“无”仅表示全部检查项目均已完成且未发现问题；“未能检查”“部分未能检查”的网站不视为通过。';

/** Fill colours of the rows a reader must not take for checked: not checked at all, and checked in part. */
export const STATE_FILL: Partial<Record<SiteState, string>> = { unchecked: 'FFD9D9D9', partial: 'FFFFF2CC' };

// ---------------------------------------------------------------------------
// Formats.

/** CSV, UTF-8 with a byte-order mark so that Excel and WPS open it as UTF-8; CRLF line ends; formulas defused. */
export function renderCsv(rows: CensusRow[]): string {
  return toCsv(TABLE_HEADER, rows.map((r) => TABLE_HEADER.map((h) => r[h])), { quote: /、/ });
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
  return `# ${TABLE_TITLE}\n\n${mdCell(meta.subtitle)}\n\n${head}${body}\n\n${TABLE_LEGEND}\n`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderHtmlTable(rows: CensusRow[], meta: TableMeta): string {
  const e = escapeHtml;
  const body = rows.map((r) => `<tr class="state-${r.state}">${TABLE_HEADER.map((h) => `<td>${e(String(r[h]))}</td>`).join('')}</tr>`).join('\n');
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
tr.state-unchecked td{background:#d9d9d9}tr.state-partial td{background:#fff2cc}
p.legend{text-align:center;color:#444;font-size:.9em}
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
<p class="legend">${e(TABLE_LEGEND)}（灰底：未能检查；黄底：部分未能检查）</p>
</body>
</html>
`;
}

/** The Excel workbook (.xlsx): a title row, the subtitle, the header, the rows; bordered, wrapped, printable. */
export async function renderXlsx(rows: CensusRow[], meta: TableMeta & { created?: Date }): Promise<Buffer> {
  // loaded when a workbook is written: it costs 0.3 s of every start-up otherwise
  const { default: ExcelJS } = await import('exceljs');
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
  // Cells are written as text (shared strings), never as formulas: no apostrophe needed here.
  for (const r of rows) ws.addRow([r.序号, r.网站名称, r.网站标识码, r.存在的突出问题, r.是否完成整改]);
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
  rows.forEach((r, i) => {
    const fill = STATE_FILL[r.state];
    if (!fill) return;
    for (let c = 1; c <= 5; c++) ws.getRow(i + 4).getCell(c).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
  });
  const legend = ws.addRow([TABLE_LEGEND]);
  ws.mergeCells(`A${legend.number}:E${legend.number}`);
  legend.getCell(1).font = { name: '宋体', size: 10 };
  legend.getCell(1).alignment = { wrapText: true };
  ws.views = [{ state: 'frozen', ySplit: 3 }];
  ws.pageSetup.printTitlesRow = '3:3';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function subtitle(record: Pick<RunRecord, 'registry' | 'startedAt'>, rectification?: Rectification): string {
  const day = (iso: string): string => {
    const d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
  };
  const parts = [record.registry.title ? `名录：${record.registry.title}` : null, `检查日期：${day(record.startedAt)}`, rectification ? `整改核查对照：${day(rectification.previous.startedAt)}的检查` : null];
  return parts.filter(Boolean).join('　');
}
