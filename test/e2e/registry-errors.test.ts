import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';

const example = path.join(repoRoot, 'examples/yaan/registry.yaml');
let dir: string;
let cleanup: () => Promise<void>;
let text: string;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  text = await readFile(example, 'utf8');
});
afterAll(async () => cleanup?.());

/** Line (1-based) of the first occurrence of `needle` in the example registry. */
function lineOf(needle: string): number {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`not in the example: ${needle}`);
  return text.slice(0, i).split('\n').length;
}

async function scanBroken(name: string, broken: string): Promise<{ code: number; stderr: string; file: string }> {
  const file = path.join(dir, name);
  await writeFile(file, broken);
  // --resolver points at a closed port: a scan that got past validation would fail differently, never exit 2 naming the file.
  const r = await runCli(['scan', '--registry', file, '--resolver', '127.0.0.1:9', '--out', path.join(dir, 'out-' + name)]);
  return { code: r.code, stderr: r.stderr, file };
}

describe('govscan scan refuses a malformed registry with exit 2, naming file, line and field', () => {
  it('bad YAML', async () => {
    const r = await scanBroken('bad-yaml.yaml', text.replace('    name: 雅安市人民政府\n', '    name: [雅安市人民政府\n'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${r.file.replace(/[.]/g, '\\.')}:\\d+: invalid YAML`));
  });

  it('duplicate code', async () => {
    const line = lineOf('code: "5118020001"');
    const r = await scanBroken('dup.yaml', text.replace('code: "5118020001"', 'code: "5118000022"').replace('division: "511802"', 'division: "511800"'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${r.file}:${line}: sites[1].code: duplicate site code "5118000022" (first at line ${lineOf('code: "5118000022"')})`);
  });

  it('a 9-digit code', async () => {
    const line = lineOf('code: "5118000022"');
    const r = await scanBroken('nine.yaml', text.replace('code: "5118000022"', 'code: "511800002"'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${r.file}:${line}: sites[0].code: "511800002" is not a site code`);
  });

  it('unknown kind', async () => {
    const line = lineOf('kind: county-portal');
    const r = await scanBroken('kind.yaml', text.replace('kind: county-portal', 'kind: county'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${r.file}:${line}: sites[1].kind: unknown kind "county"`);
  });

  it('unparsable URL', async () => {
    const line = lineOf('https://www.yaan.gov.cn/');
    const r = await scanBroken('url.yaml', text.replace('https://www.yaan.gov.cn/', 'https//www yaan gov cn'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${r.file}:${line}: sites[0].urls[0]: "https//www yaan gov cn" is not an http(s) URL`);
  });

  it('division mismatch', async () => {
    const line = lineOf('division: "511802"');
    const r = await scanBroken('division.yaml', text.replace('division: "511802"', 'division: "511803"'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${r.file}:${line}: sites[1].division: "511803" does not match the division part "511802" of site code 5118020001`);
  });

  it('lists all problems of the file at once', async () => {
    const r = await scanBroken('many.yaml', text.replace('code: "5118000022"', 'code: "511800002"').replace('kind: county-portal', 'kind: county'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/2 problems in the input/);
  });

  it('a CSV registry error names the CSV line', async () => {
    const csv = await readFile(path.join(repoRoot, 'examples/yaan/registry.csv'), 'utf8');
    const r = await scanBroken('reg.csv', csv.replace('5118030001,', '511803000,'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${r.file}:4: sites[2].code: "511803000" is not a site code`);
  });

  it('a missing registry file', async () => {
    const r = await runCli(['scan', '--registry', path.join(dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.yaml: cannot read registry (ENOENT)');
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['scan'], /--registry FILE is required/],
    [['scan', '--registry', example, '--scanners', 'nope'], /unknown scanner\(s\) nope/],
    [['scan', '--registry', example, '--format', 'pdf'], /unknown format\(s\) pdf/],
    [['scan', '--registry', example, '--fail-on', 'urgent'], /--fail-on: expected one of/],
    [['scan', '--registry', example, '--timeout', 'abc'], /--timeout: expected a whole number/],
    [['scan', '--registry', example, '--connect-to', 'a:b'], /--connect-to wants/],
    [['scan', '--registry', example, '--resolver', 'dns.example:53'], /--resolver: .*IP address/],
    [['scan', '--registry', example, '--ca-file', '/nonexistent.pem'], /--ca-file: cannot read/],
    [['scan', '--registry', example, '--bogus'], /Unknown option '--bogus'/],
    [['scan', '--registry', example, '--sites', '1234567890'], /unknown site code\(s\): 1234567890/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('%j', async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
