import { describe, expect, it } from 'vitest';
import { chinaDate, daysBetween, findDate, findTrailingDate, isoDate, plausible } from './dates.js';

const today = { y: 2018, m: 6, d: 6 };
const iso = (s: string): string | null => {
  const d = findDate(s, today);
  return d ? isoDate(d) : null;
};

describe('findDate', () => {
  it('reads the formats lists print', () => {
    expect(iso('2018-06-06')).toBe('2018-06-06');
    expect(iso('2018/6/6')).toBe('2018-06-06');
    expect(iso('2018.06.05')).toBe('2018-06-05');
    expect(iso('发布时间：2018年6月6日')).toBe('2018-06-06');
    expect(iso('2018 年 06 月 06 日')).toBe('2018-06-06');
    expect(iso('[06-05]')).toBe('2018-06-05');
    expect(iso('（06/05）')).toBe('2018-06-05');
    expect(iso('06月05日')).toBe('2018-06-05');
    expect(iso(' 06-05 ')).toBe('2018-06-05');
  });

  it('infers the year so that the date is not in the future', () => {
    expect(iso('[12-31]')).toBe('2017-12-31');
    expect(iso('06月07日')).toBe('2017-06-07');
    expect(iso('06-06')).toBe('2018-06-06');
  });

  it('is not fooled by numbers that are not dates', () => {
    expect(iso('联系电话：0835-2222222')).toBeNull();
    expect(iso('2017年政府信息公开工作年度报告')).toBeNull();
    expect(iso('1-5月经济运行情况')).toBeNull();
    expect(iso('2018-02-30')).toBeNull();
    expect(iso('2018-13-01')).toBeNull();
    expect(iso('12345-06-06')).toBeNull();
  });

  it('finds a date at the end of a title, not in its middle', () => {
    expect(findTrailingDate('关于2018年6月1日停电的通知', today)).toBeNull();
    expect(isoDate(findTrailingDate('全市工作会议召开（2018-06-01）', today)!)).toBe('2018-06-01');
  });

  it('bounds its work on hostile text', () => {
    const t0 = performance.now();
    expect(findDate('2018-'.repeat(200_000), today)).toBeNull();
    expect(findDate('[1'.repeat(200_000), today)).toBeNull();
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('calendar helpers', () => {
  it('takes today in China time, whatever the local zone', () => {
    expect(chinaDate(new Date('2018-06-05T16:30:00Z'))).toEqual({ y: 2018, m: 6, d: 6 });
    expect(chinaDate(new Date('2018-06-05T15:59:59Z'))).toEqual({ y: 2018, m: 6, d: 5 });
  });

  it('counts days and judges plausibility: not before 1990, not after tomorrow', () => {
    expect(daysBetween({ y: 2018, m: 5, d: 7 }, today)).toBe(30);
    expect(plausible({ y: 1900, m: 1, d: 1 }, today)).toBe(false);
    expect(plausible({ y: 2099, m: 12, d: 31 }, today)).toBe(false);
    expect(plausible({ y: 2018, m: 6, d: 7 }, today)).toBe(true);
    expect(plausible({ y: 2018, m: 6, d: 8 }, today)).toBe(false);
  });
});
