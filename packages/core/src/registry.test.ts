import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeRegistryBytes, loadRegistry, parseRegistry } from './registry.js';

const good = `version: 1
title: test
sites:
  - code: "5118000022"
    name: 雅安市人民政府
    unit: 雅安市人民政府办公室
    kind: portal
    division: "511800"
    urls: [https://www.yaan.gov.cn/]
  - code: "5118020001"
    name: 雨城区人民政府
    unit: 雨城区人民政府办公室
    kind: county-portal
    division: "511802"
    urls:
      - http://www.yucheng.gov.cn/
      - https://www.yucheng.gov.cn/
    icp: 蜀ICP备12345678号
`;

function problemsOf(text: string, file = 'reg.yaml'): { line: number; field: string; message: string }[] {
  try {
    parseRegistry(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    return (err as InputError).problems.map(({ line, field, message }) => ({ line, field, message }));
  }
  throw new Error('expected the registry to be rejected');
}

describe('parseRegistry (YAML)', () => {
  it('reads a valid registry with source lines', () => {
    const reg = parseRegistry(good, 'reg.yaml');
    expect(reg.title).toBe('test');
    expect(reg.sites.map((s) => s.code)).toEqual(['5118000022', '5118020001']);
    expect(reg.sites[1]).toMatchObject({ kind: 'county-portal', icp: '蜀ICP备12345678号', urls: ['http://www.yucheng.gov.cn/', 'https://www.yucheng.gov.cn/'], source: { file: 'reg.yaml', line: 10 } });
  });

  it('rejects broken YAML with its line', () => {
    const p = problemsOf('sites:\n  - code: "1\n  - name: [\n');
    expect(p[0]!.message).toMatch(/invalid YAML/);
    expect(p[0]!.line).toBeGreaterThan(0);
  });

  it('rejects a 9-digit code, naming line and field', () => {
    const p = problemsOf(good.replace('"5118000022"', '"511800002"'));
    expect(p).toEqual([{ line: 4, field: 'sites[0].code', message: expect.stringMatching(/"511800002" is not a site code/) }]);
  });

  it('reads an unquoted numeric code as text and still validates it', () => {
    const p = problemsOf(good.replace('"5118000022"', '511800002'));
    expect(p[0]).toMatchObject({ line: 4, field: 'sites[0].code' });
  });

  it('rejects duplicate codes', () => {
    const p = problemsOf(good.replace('"5118020001"', '"5118000022"').replace('division: "511802"', 'division: "511800"'));
    expect(p).toEqual([{ line: 10, field: 'sites[1].code', message: 'duplicate site code "5118000022" (first at line 4)' }]);
  });

  it('rejects an unknown kind', () => {
    const p = problemsOf(good.replace('kind: county-portal', 'kind: county'));
    expect(p).toEqual([{ line: 13, field: 'sites[1].kind', message: expect.stringMatching(/unknown kind "county"/) }]);
  });

  it('rejects an unparsable URL', () => {
    const p = problemsOf(good.replace('https://www.yaan.gov.cn/', 'https//www yaan'));
    expect(p).toEqual([{ line: 9, field: 'sites[0].urls[0]', message: expect.stringMatching(/is not an http\(s\) URL/) }]);
  });

  it('rejects a division that does not match the code', () => {
    const p = problemsOf(good.replace('division: "511802"', 'division: "511803"'));
    expect(p).toEqual([{ line: 14, field: 'sites[1].division', message: expect.stringMatching(/does not match the division part "511802"/) }]);
  });

  it('rejects a host registered twice', () => {
    const p = problemsOf(good.replace('http://www.yucheng.gov.cn/', 'http://www.yaan.gov.cn/x'));
    expect(p).toEqual([{ line: 16, field: 'sites[1].urls[0]', message: expect.stringMatching(/host www.yaan.gov.cn is already registered for site 5118000022/) }]);
  });

  it('lists every problem of a file at once, in line order', () => {
    const bad = good.replace('"5118000022"', '"51180000"').replace('kind: county-portal', 'kind: x').replace('    unit: 雨城区人民政府办公室\n', '').concat('    colour: red\n');
    const p = problemsOf(bad);
    expect(p.map((x) => x.field)).toEqual(['sites[0].code', 'sites[1].unit', 'sites[1].kind', 'sites[1].colour']);
    expect(p.map((x) => x.line)).toEqual([4, 10, 12, 18]);
  });

  it('accepts central-department codes without a division check', () => {
    const reg = parseRegistry(good.replace('"5118000022"', '"bm01000001"'), 'reg.yaml');
    expect(reg.sites[0]!.code).toBe('bm01000001');
  });
});

describe('parseRegistry (CSV)', () => {
  const csv = '\uFEFFcode,name,unit,kind,division,urls,icp\n5118000022,雅安市人民政府,雅安市人民政府办公室,portal,511800,https://www.yaan.gov.cn/ http://www.yaan.gov.cn/,蜀ICP备05005390号-1\n';

  it('reads a CSV registry with a BOM and space-separated URLs', () => {
    const reg = parseRegistry(csv, 'reg.csv');
    expect(reg.sites[0]).toMatchObject({ code: '5118000022', urls: ['https://www.yaan.gov.cn/', 'http://www.yaan.gov.cn/'], source: { line: 2 } });
  });

  it('accepts the office spreadsheet headers in Chinese', () => {
    const reg = parseRegistry('网站标识码,网站名称,主办单位,类型,行政区划代码,网址\n5118000022,雅安市人民政府,办公室,portal,511800,https://www.yaan.gov.cn/\n', 'reg.csv');
    expect(reg.sites[0]!.name).toBe('雅安市人民政府');
  });

  it('names the line of a bad row', () => {
    const p = problemsOf(csv + '511800002,x,y,portal,511800,https://x.yaan.gov.cn/\n', 'reg.csv');
    expect(p).toEqual([{ line: 3, field: 'sites[1].code', message: expect.stringMatching(/not a site code/) }]);
  });

  it('rejects unknown columns', () => {
    const p = problemsOf('code,name,colour\n', 'reg.csv');
    expect(p[0]).toMatchObject({ line: 1, field: 'colour' });
  });
});

describe('registry files as offices save them', () => {
  // 雅安市人民政府 and 办公室 in GBK, as Excel's “CSV (逗号分隔)” writes them on Chinese Windows
  const name = Buffer.from('d1c5b0b2cad0c8cbc3f1d5feb8ae', 'hex');
  const unit = Buffer.from('b0ecb9abcad2', 'hex');
  const csv = (n: Buffer, u: Buffer): Buffer => Buffer.concat([Buffer.from('code,name,unit,kind,division,urls\r\n5118000022,'), n, Buffer.from(','), u, Buffer.from(',portal,511800,https://www.yaan.gov.cn/\r\n')]);

  it('reads a GBK CSV with English headers to the same sites as its UTF-8 copy, never U+FFFD', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'govscan-reg-'));
    try {
      await writeFile(path.join(dir, 'gbk.csv'), csv(name, unit));
      await writeFile(path.join(dir, 'utf8-bom.csv'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv(Buffer.from('雅安市人民政府'), Buffer.from('办公室'))]));
      const [gbk, utf8] = await Promise.all([loadRegistry(path.join(dir, 'gbk.csv')), loadRegistry(path.join(dir, 'utf8-bom.csv'))]);
      expect(gbk.sites[0]).toMatchObject({ code: '5118000022', name: '雅安市人民政府', unit: '办公室' });
      expect(gbk.sites.map(({ source: _s, ...s }) => s)).toEqual(utf8.sites.map(({ source: _s, ...s }) => s));
      expect(JSON.stringify(gbk)).not.toContain('\uFFFD');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('decodes UTF-8 first, with or without a byte-order mark', () => {
    expect(decodeRegistryBytes(Buffer.from('\uFEFF雅安'))).toBe('雅安');
    expect(decodeRegistryBytes(Buffer.from('雅安'))).toBe('雅安');
  });
});

describe('a large YAML registry, read one site at a time', () => {
  // over 200,000 characters: the size at which items are parsed one by one
  const item = (i: number, extra = ''): string => {
    const div = String(110000 + Math.floor(i / 50));
    return `  # site ${i}\n  - code: "${div}${String(i % 50).padStart(4, '0')}"\n    name: 网站${i}\n    unit: 单位${i}\n    kind: department\n    division: "${div}"\n    urls:\n      - https://s${i}.example.gov.cn/\n    contact: |\n      line one\n        - not an item\n      line three\n${extra}`;
  };
  const big = (n: number, edit: (i: number) => string = () => ''): string => `version: 1\ntitle: big\nsites:\n${Array.from({ length: n }, (_, i) => item(i, edit(i))).join('')}`;
  /** The same text read whole: a leading `---` turns the per-site path off, and shifts every line by one. */
  const whole = (text: string): ReturnType<typeof parseRegistry> => {
    const r = parseRegistry(`---\n${text}`, 'big.yaml');
    return { ...r, sites: r.sites.map((s) => ({ ...s, source: { file: s.source!.file, line: s.source!.line - 1 } })) };
  };

  it('gives the same sites, lines and values as reading the file whole', () => {
    const text = big(2000);
    expect(text.length).toBeGreaterThan(200_000);
    const r = parseRegistry(text, 'big.yaml');
    expect(r.sites).toHaveLength(2000);
    expect(r).toEqual(whole(text));
    expect(r.sites[1999]).toMatchObject({ code: '1100390049', contact: 'line one\n  - not an item\nline three', source: { line: 5 + 1999 * 12 } });
  });

  it('a problem inside one site is reported with the line of the whole file', () => {
    const text = big(2000, (i) => (i === 1500 ? '    colour: red\n' : ''));
    const line = 4 + 1500 * 12 + 12;
    expect(problemsOf(text, 'big.yaml')).toEqual([{ line, field: 'sites[1500].colour', message: expect.stringMatching(/unknown field/) }]);
  });

  it('invalid YAML in one site, an alias to another site’s anchor, a key after the list: as if read whole', () => {
    const broken = big(2000, (i) => (i === 700 ? '    name: [unclosed\n' : ''));
    const wholeProblems = problemsOf(`---\n${broken}`, 'big.yaml').map((p) => ({ ...p, line: p.line - 1 }));
    expect(problemsOf(broken, 'big.yaml')).toEqual(wholeProblems);
    expect(wholeProblems.length).toBeGreaterThan(0);
    const aliased = big(2000).replace('unit: 单位0\n', 'unit: &u 单位0\n').replace('unit: 单位1999\n', 'unit: *u\n');
    expect(parseRegistry(aliased, 'big.yaml').sites[1999]!.unit).toBe('单位0');
    const after = `${big(2000)}extra: 1\n`;
    expect(parseRegistry(after, 'big.yaml').sites).toHaveLength(2000); // an unknown top-level key is not read: as read whole
  });
});
