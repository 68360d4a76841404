import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, repoRoot, runBuiltCli, tempDir } from '../helpers/cli.js';
import { findingsErrors, sarifErrors } from '../helpers/schemas.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run 'pnpm build' (pnpm test builds first)`);
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => cleanup?.());

describe('the built CLI under plain node', () => {
  it('prints its version and help', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'packages/cli/package.json'), 'utf8'));
    const v = await runBuiltCli(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const h = await runBuiltCli(['scan', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/--connect-to H1:P1:H2:P2/);
  });

  it('runs the demo: summary on stdout, nothing on stderr, findings.json and findings.sarif written', async () => {
    const out = path.join(dir, 'demo');
    const r = await runBuiltCli(['demo', '--out', out], { timeoutMs: 240_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/41 sites, \d+ findings/);
    const planted = /planted problems found: (\d+) of (\d+)/.exec(r.stdout);
    expect(planted?.[1]).toBe(planted?.[2]);
    expect(Number(planted?.[2])).toBeGreaterThanOrEqual(3);
    const doc = JSON.parse(await readFile(path.join(out, 'findings.json'), 'utf8'));
    expect(findingsErrors(doc)).toEqual([]);
    expect(doc.sites).toHaveLength(41);
    expect(sarifErrors(JSON.parse(await readFile(path.join(out, 'findings.sarif'), 'utf8')))).toEqual([]);
    // the other reports, and the investigated counterfeits' cases
    for (const f of ['census-table.xlsx', 'census-table.csv', 'report.html', 'notices.html']) await readFile(path.join(out, f));
    const cases = await readdir(path.join(out, 'cases'));
    expect(cases.filter((c) => c.startsWith('CASE-'))).toHaveLength(2);
    const v = await runBuiltCli(['verify', path.join(out, 'cases', cases.find((c) => c.startsWith('CASE-'))!)]);
    expect(v.code).toBe(0);

    // the next quarter: the census problems rectified, 是否完成整改 filled in
    const q2 = await runBuiltCli(['demo', '--out', out, '--next-quarter'], { timeoutMs: 240_000 });
    expect(q2.stderr).toBe('');
    expect(q2.code).toBe(0);
    expect(q2.stdout).toContain('govscan diff');
    const table = await readFile(path.join(out, 'next-quarter', 'census-table.csv'), 'utf8');
    expect(table).toMatch(/芦山县人民政府,5118260001,[^\n]*,是/);
  }, 600_000);

  it('exits 2 naming file, line and field for a bad registry', async () => {
    const r = await runBuiltCli(['scan', '--registry', path.join(repoRoot, 'test/fixtures/bad-registry.yaml'), '--out', path.join(dir, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bad-registry\.yaml:6: sites\[0\]\.code: "511800002" is not a site code/);
  });
});
