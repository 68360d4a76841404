import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { judge, loadRegistry, parseRegistry, parseRuleFile, type InputProblem, type Rule } from '@govscan/core';
import { climb } from './dns.js';
import { naming } from './index.js';
import { divisionLevel, hostNames, REGISTRY_KINDS, registryObservations } from './registry.js';

let rules: Rule[];
beforeAll(async () => {
  const problems: InputProblem[] = [];
  const file = fileURLToPath(new URL('../../../rules/naming.yaml', import.meta.url));
  rules = parseRuleFile(await readFile(file, 'utf8'), file, problems, { scanners: { naming } }).filter((r) => (REGISTRY_KINDS as readonly string[]).includes(r.observation));
  expect(problems).toEqual([]);
});

const site = (code: string, kind: string, division: string, ...urls: string[]): string =>
  `  - { code: "${code}", name: 站${code}, unit: 单位, kind: ${kind}, division: "${division}", urls: [${urls.map((u) => `"${u}"`).join(', ')}] }`;
const lint = (...sites: string[]): string[] => {
  const registry = parseRegistry(`version: 1\nsites:\n${sites.join('\n')}\n`, 'r.yaml');
  return judge(rules, registryObservations(registry)).map((f) => `${f.site.code} ${f.ruleId} ${f.target}`).sort();
};
const portal = site('5118000022', 'portal', '511800', 'https://www.yaan.gov.cn/');

describe('registry-level naming rules', () => {
  it('the example registry is clean', async () => {
    const registry = await loadRegistry(fileURLToPath(new URL('../../../examples/yaan/registry.yaml', import.meta.url)));
    expect(judge(rules, registryObservations(registry))).toEqual([]);
  });

  it('domain suffix: English domains end in .gov.cn, Chinese ones in .政务, compared in punycode and Unicode', () => {
    expect(
      lint(
        portal,
        site('5118000001', 'department', '511800', 'https://fgw.yaan.com.cn/'),
        site('5118000002', 'department', '511800', 'http://10.1.2.3/'),
        site('5118000003', 'department', '511800', 'http://czj.yaan.gov.cn/', 'http://雅安市财政局.政务/'),
        site('5118000004', 'department', '511800', 'http://sjj.yaan.gov.cn/', 'http://xn--49s0b90ag0dqu7h27n.xn--fiqs8s/'),
        site('5118000005', 'department', '511800', 'http://JYJ.YAAN.GOV.CN./'),
      ),
    ).toEqual([
      '5118000001 naming.domain.suffix fgw.yaan.com.cn',
      '5118000002 naming.domain.suffix 10.1.2.3',
      '5118000004 naming.domain.suffix xn--49s0b90ag0dqu7h27n.xn--fiqs8s',
    ]);
  });

  it('portal form: www.<name>.gov.cn, www.gov.cn for the centre; judged on the primary English domain', () => {
    expect(
      lint(
        portal,
        site('5118020001', 'county-portal', '511802', 'https://yucheng.gov.cn/'),
        site('5118030001', 'county-portal', '511803', 'https://www.ms.yaan.gov.cn/'),
        site('5118250001', 'county-portal', '511825', 'https://www.tianquan.gov.cn/', 'http://tianquan.gov.cn/'),
        site('bm01000001', 'portal', '100000', 'https://www.gov.cn/'),
      ),
    ).toEqual(['5118020001 naming.domain.portal-form yucheng.gov.cn', '5118030001 naming.domain.portal-form www.ms.yaan.gov.cn']);
  });

  it('department form: <abbr>.<portal domain>, the portal found by division code', () => {
    expect(
      lint(
        portal,
        site('5118020001', 'county-portal', '511802', 'https://www.yucheng.gov.cn/'),
        site('5118000001', 'department', '511800', 'https://fgw.yaan.gov.cn/'),
        site('5118000002', 'department', '511800', 'https://jxw.sc.gov.cn/'),
        site('5118000003', 'department', '511800', 'https://a.b.yaan.gov.cn/'),
        site('5118020002', 'department', '511802', 'https://jyj.yucheng.gov.cn/'),
        site('5118020003', 'department', '511802', 'https://jyj.yaan.gov.cn/'),
        // no portal of division 511803 in the registry: cannot be judged
        site('5118030002', 'department', '511803', 'https://jyj.mingshan.gov.cn/'),
      ),
    ).toEqual([
      '5118000002 naming.domain.department-form jxw.sc.gov.cn',
      '5118000003 naming.domain.department-form a.b.yaan.gov.cn',
      '5118020003 naming.domain.department-form jyj.yaan.gov.cn',
    ]);
  });

  it('multiple domains: more than one English or Chinese domain; www. is the same domain', () => {
    expect(
      lint(
        portal,
        site('5118000001', 'department', '511800', 'http://jyj.yaan.gov.cn/', 'http://edu.yaan.gov.cn/'),
        site('5118000002', 'department', '511800', 'http://czj.yaan.gov.cn/', 'https://www.czj.yaan.gov.cn/', 'http://雅安市财政局.政务/'),
        site('5118000003', 'department', '511800', 'http://sjj.yaan.gov.cn/', 'http://雅安市审计局.政务/', 'http://雅安审计.政务/'),
      ),
    ).toEqual(['5118000001 naming.domain.multiple http://jyj.yaan.gov.cn/', '5118000003 naming.domain.multiple http://sjj.yaan.gov.cn/']);
  });

  it('site code: the loader refuses malformed codes; the rule catches the ones that parse but cannot be right', () => {
    expect(
      lint(
        portal,
        site('5118000000', 'department', '511800', 'https://tjj.yaan.gov.cn/'),
        site('9918000001', 'department', '991800', 'https://a.yaan.gov.cn/'),
        site('5100010001', 'department', '510001', 'https://b.yaan.gov.cn/'),
        site('5118000002', 'county-portal', '511800', 'https://www.c.gov.cn/'),
        site('5118020002', 'portal', '511802', 'https://www.d.gov.cn/'),
        site('bm01000001', 'portal', '100000', 'https://www.gov.cn/'),
      ),
    ).toEqual([
      '5100010001 naming.site-code.invalid https://b.yaan.gov.cn/',
      '5118000000 naming.site-code.invalid https://tjj.yaan.gov.cn/',
      '5118000002 naming.site-code.invalid https://www.c.gov.cn/',
      '5118020002 naming.site-code.invalid https://www.d.gov.cn/',
      '9918000001 naming.site-code.invalid https://a.yaan.gov.cn/',
    ]);
  });

  it('a registry object built by hand (not through the loader) is judged too: malformed code, division mismatch', () => {
    const registry = parseRegistry(`version: 1\nsites:\n${portal}\n`, 'r.yaml');
    registry.sites.push({ ...registry.sites[0]!, code: '511800002', kind: 'department', urls: ['https://x.yaan.gov.cn/'] }, { ...registry.sites[0]!, code: '5118020009', kind: 'department', urls: ['https://y.yaan.gov.cn/'] });
    expect(judge(rules, registryObservations(registry)).map((f) => `${f.site.code} ${f.ruleId}`).sort()).toEqual(['511800002 naming.site-code.invalid', '5118020009 naming.site-code.invalid']);
  });
});

describe('helpers', () => {
  it('hostNames gives both spellings', () => {
    expect(hostNames('xn--49soqq7b06nfu9awx1a.xn--zfr164b')).toEqual({ ascii: 'xn--49soqq7b06nfu9awx1a.xn--zfr164b', unicode: '雅安市教育局.政务', idn: true, ip: false });
    expect(hostNames('WWW.Yaan.gov.cn.')).toMatchObject({ ascii: 'www.yaan.gov.cn', idn: false });
    expect(hostNames('[::1]')).toMatchObject({ ascii: '::1', ip: true, idn: false });
  });

  it('divisionLevel', () => {
    expect([divisionLevel('510000'), divisionLevel('511800'), divisionLevel('511802'), divisionLevel('51180')]).toEqual(['province', 'prefecture', 'county', null]);
  });

  it('climb stops at the registrable domain', () => {
    expect(climb('www.yaan.gov.cn')).toEqual(['www.yaan.gov.cn', 'yaan.gov.cn']);
    expect(climb('a.b.yaan.com.cn')).toEqual(['a.b.yaan.com.cn', 'b.yaan.com.cn', 'yaan.com.cn']);
    expect(climb('yucheng.gov.cn')).toEqual(['yucheng.gov.cn']);
    expect(climb('localhost')).toEqual(['localhost']);
  });
});
