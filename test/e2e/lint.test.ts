import dgram from 'node:dgram';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lintCommand, type LintOptions } from '../../packages/cli/src/commands/lint/run.js';
import { repoRoot, sink, tempDir } from '../helpers/cli.js';

const example = path.join(repoRoot, 'examples/yaan/registry.yaml');

/** A registry that passes the loader but breaks every registry-level naming rule once (line numbers matter below). */
const broken = `version: 1
title: 名录（有问题的示例）
sites:
  - { code: "5118000022", name: 雅安市人民政府, unit: 雅安市人民政府办公室, kind: portal, division: "511800", urls: [https://www.yaan.gov.cn/] }
  - { code: "5118020001", name: 雨城区人民政府, unit: 雨城区人民政府办公室, kind: county-portal, division: "511802", urls: [https://yucheng.gov.cn/] }
  - { code: "5118000017", name: 雅安市发展和改革委员会, unit: 雅安市发展和改革委员会, kind: department, division: "511800", urls: [http://fgw.yaan.com.cn/] }
  - { code: "5118000004", name: 雅安市经济和信息化委员会, unit: 雅安市经济和信息化委员会, kind: department, division: "511800", urls: [https://jxw.sc.gov.cn/] }
  - { code: "5118000025", name: 雅安市教育局, unit: 雅安市教育局, kind: department, division: "511800", urls: [http://jyj.yaan.gov.cn/, http://edu.yaan.gov.cn/] }
  - { code: "5118000000", name: 雅安市统计局, unit: 雅安市统计局, kind: department, division: "511800", urls: [https://tjj.yaan.gov.cn/] }
  - { code: "5118000006", name: 雅安市审计局, unit: 雅安市审计局, kind: department, division: "511800", urls: [http://sjj.yaan.gov.cn/, "http://雅安市审计局.中国/"] }
  - { code: "5118000033", name: 雅安市财政局, unit: 雅安市财政局, kind: department, division: "511800", urls: [http://czj.yaan.gov.cn/, "http://雅安市财政局.政务/"] }
`;


async function lint(registry: string, o: Partial<LintOptions> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const code = await lintCommand({ registry, stdout, stderr, rulesDir, ...o });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let dir: string;
let cleanup: () => Promise<void>;
let brokenFile: string;
/** The shipped naming and DNS rule files, on their own: other rule files of the folder are none of lint's business here. */
let rulesDir: string;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  rulesDir = path.join(dir, 'rules');
  await mkdir(rulesDir);
  for (const f of ['naming.yaml', 'dns.yaml']) await copyFile(path.join(repoRoot, 'rules', f), path.join(rulesDir, f));
  brokenFile = path.join(dir, 'broken.yaml');
  await writeFile(brokenFile, broken);
});
afterAll(async () => cleanup?.());

describe('govscan lint', () => {
  it('finds the example registry clean, offline: exit 0, no socket opened', async () => {
    const tcp = vi.spyOn(net.Socket.prototype, 'connect');
    const udp = vi.spyOn(dgram.Socket.prototype, 'send');
    try {
      const r = await lint(example);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`govscan lint: ${example} (雅安市政府网站名录（2018年第二季度）)`);
      expect(r.stdout).toContain('41 sites, 5 registry rules: naming.domain.suffix, naming.domain.portal-form, naming.domain.department-form, naming.domain.multiple, naming.site-code.invalid');
      expect(r.stdout).toContain('no findings');
      expect(tcp).not.toHaveBeenCalled();
      expect(udp).not.toHaveBeenCalled();
    } finally {
      tcp.mockRestore();
      udp.mockRestore();
    }
  });

  it('reports every registry-level rule on the broken registry, with file and line: exit 1', async () => {
    const r = await lint(brokenFile);
    expect(r.code).toBe(1);
    const at = (line: number, code: string) => `${brokenFile}:${line}  ${code}`;
    expect(r.stdout).toContain(at(5, '5118020001 雨城区人民政府 (county-portal)'));
    expect(r.stdout).toMatch(/MEDIUM +naming\.domain\.portal-form +门户网站域名结构不规范/);
    expect(r.stdout).toContain(at(6, '5118000017'));
    expect(r.stdout).toMatch(/HIGH +naming\.domain\.suffix/);
    expect(r.stdout).toContain('依据 《政府网站发展指引》（国办发〔2017〕47号）');
    expect(r.stdout).toContain('6 findings (0 critical, 2 high, 3 medium, 1 low, 0 info) in 6 of 8 sites');
    expect(r.stdout).not.toContain('5118000022 雅安市人民政府');
    expect(r.stdout).not.toContain('5118000033 雅安市财政局');
  });

  it('--format json: one finding per rule and site, each with its registry line', async () => {
    const r = await lint(brokenFile, { format: 'json' });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { summary: Record<string, number>; findings: { ruleId: string; site: { code: string }; target: string; source: { line: number } }[] };
    expect(doc.findings.map((f) => `${f.source.line} ${f.site.code} ${f.ruleId} ${f.target}`)).toEqual([
      '5 5118020001 naming.domain.portal-form yucheng.gov.cn',
      '6 5118000017 naming.domain.suffix fgw.yaan.com.cn',
      '7 5118000004 naming.domain.department-form jxw.sc.gov.cn',
      '8 5118000025 naming.domain.multiple http://jyj.yaan.gov.cn/',
      '9 5118000000 naming.site-code.invalid https://tjj.yaan.gov.cn/',
      '10 5118000006 naming.domain.suffix xn--49s0b90ag0dqu7h27n.xn--fiqs8s',
    ]);
    expect(doc.summary).toMatchObject({ total: 6, high: 2, medium: 3, low: 1 });
  });

  it('--fail-on: exit 1 only for findings at or above it', async () => {
    expect((await lint(brokenFile, { failOn: 'high' })).code).toBe(1);
    expect((await lint(brokenFile, { failOn: 'critical' })).code).toBe(0);
  });

  it('bad input: exit 2, naming file, line and field; nothing else printed', async () => {
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, broken.replace('code: "5118000000"', 'code: "511800000"'));
    const r = await lint(bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${bad}:9: sites[5].code: "511800000" is not a site code`);
    const missing = await lint(path.join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read registry \(ENOENT\)/);
    expect((await lint(example, { format: 'xml' as 'json' })).code).toBe(2);
    const rules = await lint(example, { rulesDir: path.join(dir, 'no-rules-here') });
    expect(rules.code).toBe(2);
    expect(rules.stderr).toMatch(/cannot read rules folder/);
  });
});
