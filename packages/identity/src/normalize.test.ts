import { describe, expect, it } from 'vitest';
import { conacId, icpMatches, icpRecord, normalizeIcp, normalizePsb, parseIcp, sameToken } from './normalize.js';

describe('normal forms', () => {
  const cases: [string, (s: string) => string | null, string, string | null][] = [
    // ICP numbers keep their site number (-N).
    ['normalizeIcp', normalizeIcp, '蜀ICP备 05005390号-1', '蜀ICP备05005390号-1'],
    ['normalizeIcp', normalizeIcp, '备案号：蜀ＩＣＰ备０５００５３９０号－２', '蜀ICP备05005390号-2'],
    ['normalizeIcp', normalizeIcp, '蜀icp备05005390号', '蜀ICP备05005390号'],
    ['normalizeIcp', normalizeIcp, 'no record', null],
    ['icpRecord', icpRecord, '蜀ICP备05005390号-1', '蜀ICP备05005390号'],
    ['icpRecord', icpRecord, 'x', null],
    // 公网安备 numbers are their digits.
    ['normalizePsb', normalizePsb, '川公网安备51180002000100号', '51180002000100'],
    ['normalizePsb', normalizePsb, '川公网安备 ５１１８０００２０００１００号', '51180002000100'],
    ['normalizePsb', normalizePsb, '51180002000100', '51180002000100'],
    ['normalizePsb', normalizePsb, '公网安备 123号', null],
    // The CONAC id: from the badge script's path, from its file name alone (the same id), from the badge link's id parameter.
    ['conacId', conacId, 'https://dcs.conac.cn/js/23/000/0000/60446925/CA230000000604469250001.js', '60446925'],
    ['conacId', conacId, 'https://dcs.conac.cn/js/51/000/0000/60446925/CA510000000604469250001.js', '60446925'],
    ['conacId', conacId, 'https://dcs.conac.cn/CA510000000604469250001.js', '60446925'],
    ['conacId', conacId, '/static/CA230000000604469250002.js?v=1', '60446925'],
    ['conacId', conacId, 'https://bszs.conac.cn/sitename?method=show&id=5A9B', '5A9B'],
    // … and none from a URL that carries no id.
    ['conacId', conacId, 'https://www.conac.cn/', null],
    ['conacId', conacId, '', null],
  ];
  it.each(cases)('%s(%j)', (_name, fn, input, want) => {
    expect(fn(input)).toBe(want);
  });

  it('gives an ICP number in parts', () => {
    expect(parseIcp('蜀ICP备05005390号-1')).toEqual({ province: '蜀', record: '05005390', site: '1' });
  });
});

describe('ICP comparisons', () => {
  it('match the registry when the records match and a site number shown is the registry’s', () => {
    expect(icpMatches('蜀ICP备05005390号-1', '蜀ICP备05005390号-1')).toBe(true);
    expect(icpMatches('蜀ICP备05005390号', '蜀ICP备05005390号-1')).toBe(true);
    expect(icpMatches('蜀ICP备05005390号-2', '蜀ICP备05005390号-1')).toBe(false);
    expect(icpMatches('川ICP备05005390号-1', '蜀ICP备05005390号-1')).toBe(false);
    expect(icpMatches('ICP 待备案', 'icp待备案')).toBe(true);
  });

  it('take a copied number for a copy whatever site number follows it', () => {
    expect(sameToken('icp', '蜀ICP备05005390号-1', '蜀ICP备05005390号')).toBe(true);
    expect(sameToken('icp', '蜀ICP备05005390号-1', '蜀ICP备05005391号-1')).toBe(false);
    expect(sameToken('psb', '51180002000100', '51180002000100')).toBe(true);
    expect(sameToken('sponsor', '雅安市人民政府', '雅安市人民政府办公室')).toBe(false);
  });
});
