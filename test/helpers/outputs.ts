/**
 * Read what a scan's output folder and terminal say about each site, format
 * by format, so tests can hold every output to the same judged model.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';

export interface SiteCells {
  problems: string;
  rectified: string;
}

export type ByCode = Map<string, SiteCells>;

const unescape = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

function csvLine(line: string): string[] {
  return [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, 5).map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"').replace(/^'(?=[=+\-@])/, ''));
}

/** The 汇总表 as CSV: code → cells. */
export async function fromCsv(dir: string): Promise<ByCode> {
  const text = await readFile(path.join(dir, 'census-table.csv'), 'utf8');
  if (text.charCodeAt(0) !== 0xfeff) throw new Error('census-table.csv has no byte-order mark');
  const rows = text.slice(1).trimEnd().split('\r\n').slice(1).map(csvLine);
  return new Map(rows.map((r) => [r[2]!, { problems: r[3]!, rectified: r[4] ?? '' }]));
}

export async function fromXlsx(dir: string): Promise<ByCode> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await readFile(path.join(dir, 'census-table.xlsx'))) as never);
  const ws = wb.getWorksheet('汇总表')!;
  const out: ByCode = new Map();
  ws.eachRow((row, n) => {
    const code = row.getCell(3).value;
    if (n > 3 && typeof code === 'string' && /^\w{10}$/.test(code)) out.set(code, { problems: String(row.getCell(4).value ?? ''), rectified: String(row.getCell(5).value ?? '') });
  });
  return out;
}

export async function fromMarkdown(dir: string): Promise<ByCode> {
  const md = await readFile(path.join(dir, 'census-table.md'), 'utf8');
  const out: ByCode = new Map();
  for (const line of md.split('\n')) {
    if (!/^\| \d+ \|/.test(line)) continue;
    const cells = line.slice(2, -2).split(' | ').map((c) => unescape(c.replace(/\\\|/g, '|').replace(/\\\\/g, '\\')));
    out.set(cells[2]!, { problems: cells[3]!, rectified: cells[4]! });
  }
  return out;
}

export async function fromHtmlTable(dir: string): Promise<ByCode> {
  const html = await readFile(path.join(dir, 'census-table.html'), 'utf8');
  const out: ByCode = new Map();
  for (const m of html.matchAll(/<tr class="state-\w+">((?:<td>[^<]*<\/td>){5})<\/tr>/g)) {
    const cells = [...m[1]!.matchAll(/<td>([^<]*)<\/td>/g)].map((c) => unescape(c[1]!));
    out.set(cells[2]!, { problems: cells[3]!, rectified: cells[4]! });
  }
  return out;
}

/** report.html: the site table's 存在的突出问题 (and 是否完成整改 when compared), and each row's state. */
export async function fromReport(dir: string): Promise<Map<string, SiteCells & { state: string }>> {
  const html = await readFile(path.join(dir, 'report.html'), 'utf8');
  const out = new Map<string, SiteCells & { state: string }>();
  for (const m of html.matchAll(/<tr data-site="(\w+)" data-findings="\d+" data-state="(\w+)">(.*?)<\/tr>/g)) {
    const problems = /<td class="problems-text">([^<]*)/.exec(m[3]!)?.[1] ?? '';
    const rectified = /<td class="rectified">([^<]*)<\/td>/.exec(m[3]!)?.[1] ?? '';
    out.set(m[1]!, { problems: unescape(problems), rectified: unescape(rectified), state: m[2]! });
  }
  return out;
}

/**
 * The terminal summary: code → its row's cells (split on runs of two or more
 * spaces). The table clips long cells with an ellipsis: `matchesClipped`
 * compares such a cell with the full text.
 */
export function fromTerminal(stdout: string, codes: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const cells = line.trim().split(/\s{2,}/);
    if (cells.length > 3 && codes.includes(cells[1]!)) out.set(cells[1]!, cells);
  }
  return out;
}

export function matchesClipped(cell: string, full: string): boolean {
  return cell === full || (cell.endsWith('…') && full.startsWith(cell.slice(0, -1)));
}

/** The notices folder: code → the text of its .docx (the notices that went out). */
export async function noticeTexts(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let files: string[] = [];
  try {
    files = await readdir(path.join(dir, 'notices'));
  } catch {
    return out;
  }
  for (const f of files.filter((x) => x.endsWith('.docx'))) {
    const zip = await JSZip.loadAsync(await readFile(path.join(dir, 'notices', f)));
    const xml = await zip.file('word/document.xml')!.async('string');
    out.set(f.slice(0, 10), [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => unescape(m[1]!)).join(''));
  }
  return out;
}

export interface JsonSite {
  code: string;
  name: string;
  state: string;
  problems: string;
  rectified?: string;
  problemRules: string[];
  grades: Record<string, string | null>;
  undetermined: { ruleId: string }[];
}

export async function findingsJson(dir: string): Promise<{ sites: JsonSite[]; summary: Record<string, unknown>; rules: { id: string; title: { zh: string } }[] }> {
  return JSON.parse(await readFile(path.join(dir, 'findings.json'), 'utf8'));
}
