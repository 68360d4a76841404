/**
 * The one CSV writer of govscan (csv-stringify underneath): UTF-8 with a
 * byte-order mark so that Excel and WPS open it as UTF-8, CRLF line ends, and
 * every text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
 * tab, CR at its start) defused with a leading apostrophe. Lists are joined
 * with spaces, null is an empty cell.
 */
import { stringify } from 'csv-stringify/sync';

/** A cell that a spreadsheet would read as a formula is prefixed with an apostrophe. */
export function safeCell(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export type CsvValue = string | number | boolean | null | undefined | readonly (string | number | boolean | null)[];

function cell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return safeCell(v.map((x) => (x === null ? '' : String(x))).join(' '));
  if (typeof v === 'string') return safeCell(v);
  return String(v);
}

export interface CsvOptions {
  /** Also quote cells matching this (the 汇总表 quotes its 、-lists, as offices' tables do). */
  quote?: RegExp;
  /** Write the byte-order mark (default true). */
  bom?: boolean;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[], options: CsvOptions = {}): string {
  const text = stringify([header.map(String), ...rows.map((r) => r.map(cell))], { record_delimiter: '\r\n', ...(options.quote ? { quoted_match: options.quote } : {}) });
  return `${options.bom === false ? '' : '\uFEFF'}${text}`;
}
