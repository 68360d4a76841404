/**
 * Publication dates as Chinese government sites print them in their lists:
 * `2018-06-06`, `2018/6/6`, `2018.06.06`, `2018年6月6日`, and without a year
 * `[06-06]`, `06-06` (alone in its cell) and `06月06日`, whose year is
 * inferred as the latest one that does not put the date in the future.
 */

export interface CalendarDate {
  y: number;
  m: number;
  d: number;
}

export interface FoundDate extends CalendarDate {
  /** The text matched. */
  raw: string;
  /** The year was not printed and was inferred from today. */
  inferredYear: boolean;
}

const DAY_MS = 24 * 3600 * 1000;

/** Today's calendar date in China Standard Time (UTC+8), whatever the local time zone. */
export function chinaDate(at: Date): CalendarDate {
  const shifted = new Date(at.getTime() + 8 * 3600 * 1000);
  return { y: shifted.getUTCFullYear(), m: shifted.getUTCMonth() + 1, d: shifted.getUTCDate() };
}

export function isoDate(c: CalendarDate): string {
  return `${String(c.y).padStart(4, '0')}-${String(c.m).padStart(2, '0')}-${String(c.d).padStart(2, '0')}`;
}

function dayNumber(c: CalendarDate): number {
  return Math.round(Date.UTC(c.y, c.m - 1, c.d) / DAY_MS);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return dayNumber(to) - dayNumber(from);
}

function valid(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function compare(a: CalendarDate, b: CalendarDate): number {
  return a.y - b.y || a.m - b.m || a.d - b.d;
}

/** The latest year for which month/day is not after today. */
function inferYear(m: number, d: number, today: CalendarDate): number {
  return compare({ y: today.y, m, d }, today) <= 0 ? today.y : today.y - 1;
}

// Full dates: 2018-06-06, 2018/6/6, 2018.06.06, 2018年6月6日 (spaces allowed around the units).
const FULL = /(?<!\d)(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?|([-/.])\s*(\d{1,2})\s*\4\s*(\d{1,2}))(?!\d)/gu;
// Month and day with Chinese units: 06月06日.
const MONTH_DAY_ZH = /(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日/gu;
// Month and day in brackets: [06-06], (06/06), 【06-06】.
const MONTH_DAY_BRACKETED = /[[(（【［]\s*(\d{1,2})[-/.](\d{1,2})\s*[\])）】］]/gu;
// A cell that holds nothing but a month and day: 06-06.
const MONTH_DAY_ALONE = /^\s*(\d{1,2})[-/.](\d{1,2})\s*$/u;

/** Texts longer than this are not searched further (a list item is short; hostile input is not). */
const MAX_SEARCH = 4000;

/**
 * The first date in `text`, or null. Work is bounded by the text length
 * (cut at 4,000 characters); impossible dates (2018-02-30) are skipped.
 * Plausibility (a date in the future, or in 1900) is the caller's question.
 */
export function findDate(text: string, today: CalendarDate): FoundDate | null {
  const s = text.length > MAX_SEARCH ? text.slice(0, MAX_SEARCH) : text;
  for (const m of s.matchAll(FULL)) {
    const y = Number(m[1]);
    const mo = Number(m[2] ?? m[5]);
    const d = Number(m[3] ?? m[6]);
    if (valid(y, mo, d)) return { y, m: mo, d, raw: m[0], inferredYear: false };
  }
  for (const re of [MONTH_DAY_ZH, MONTH_DAY_BRACKETED]) {
    for (const m of s.matchAll(re)) {
      const mo = Number(m[1]);
      const d = Number(m[2]);
      if (mo < 1 || mo > 12) continue;
      const y = inferYear(mo, d, today);
      if (valid(y, mo, d)) return { y, m: mo, d, raw: m[0], inferredYear: true };
    }
  }
  const alone = MONTH_DAY_ALONE.exec(s);
  if (alone) {
    const mo = Number(alone[1]);
    const d = Number(alone[2]);
    if (mo >= 1 && mo <= 12) {
      const y = inferYear(mo, d, today);
      if (valid(y, mo, d)) return { y, m: mo, d, raw: alone[0].trim(), inferredYear: true };
    }
  }
  return null;
}

/** A full date at the very end of a text, e.g. a title that carries its own date: `标题 (2018-06-06)`. */
export function findTrailingDate(text: string, today: CalendarDate): FoundDate | null {
  const tail = text.slice(-40);
  const m = /(\d{4}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?|[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}))\s*[\])）】］]?\s*$/u.exec(tail);
  return m ? findDate(m[1]!, today) : null;
}

/** Government sites began in the 1990s: an earlier date is a typo or a placeholder, as is one after tomorrow. */
export function plausible(date: CalendarDate, today: CalendarDate): boolean {
  return date.y >= 1990 && daysBetween(today, date) <= 1;
}
