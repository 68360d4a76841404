import { describe, expect, it } from 'vitest';
import { InputError, type InputProblem } from './errors.js';
import { judge } from './judge.js';
import { defaultRulesDir, loadRules, matches, parseRuleFile } from './rules.js';
import type { Matcher, Observation } from './types.js';

const rule = `version: 1
rules:
  - id: demo.slow
    title: { zh: 慢, en: Slow }
    severity: low
    description: { zh: 描述, en: Description }
    remediation: { zh: 整改, en: Fix it }
    reference: test
    scanner: reachability
    observation: reachability.homepage
    match:
      all:
        - { fact: loaded, equals: true }
        - { fact: totalMs, gt: 100 }
    evidence: [totalMs]
`;

function problems(text: string, options = {}): InputProblem[] {
  const out: InputProblem[] = [];
  parseRuleFile(text, 'r.yaml', out, options);
  return out;
}

describe('rule files', () => {
  it('refuses a regular expression that can take exponential time (ReDoS), naming file, line and field', () => {
    const bad = rule.replace('        - { fact: totalMs, gt: 100 }', () => "        - { fact: title, regex: '^(a+)+$' }");
    const out: InputProblem[] = [];
    parseRuleFile(bad, 'r.yaml', out, { checkRegexSafety: true });
    expect(out).toEqual([{ file: 'r.yaml', line: 14, field: 'rules[0].match.all[1].regex', message: expect.stringMatching(/exponential time/) }]);
  });

  it('every regular expression of the shipped rules passes the ReDoS check', async () => {
    await expect(loadRules(defaultRulesDir, { checkRegexSafety: true })).resolves.not.toHaveLength(0);
  }, 60_000);

  it('refuses a YAML alias bomb as bad input naming the file, not an internal error', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`);
    const t0 = performance.now();
    const out = problems(`${lines.join('\n')}\nversion: 1\nrules: []\n`);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(out).toEqual([{ file: 'r.yaml', line: 1, field: '', message: expect.stringMatching(/^invalid YAML: .*alias/i) }]);
  });

  it('loads a valid rule with its source line', () => {
    const out: InputProblem[] = [];
    const rules = parseRuleFile(rule, 'r.yaml', out);
    expect(out).toEqual([]);
    expect(rules[0]).toMatchObject({ id: 'demo.slow', severity: 'low', source: { file: 'r.yaml', line: 3 } });
  });

  it('names file, line and field of a bad severity', () => {
    expect(problems(rule.replace('severity: low', 'severity: urgent'))).toEqual([
      { file: 'r.yaml', line: 5, field: 'rules[0].severity', message: 'must be one of: info, low, medium, high, critical' },
    ]);
  });

  it('names a missing field and an unknown one', () => {
    const p = problems(rule.replace('    reference: test\n', '    refrence: test\n'));
    expect(p).toContainEqual({ file: 'r.yaml', line: 3, field: 'rules[0]', message: 'missing required field "reference"' });
    expect(p).toContainEqual({ file: 'r.yaml', line: 3, field: 'rules[0]', message: 'unknown field "refrence"' });
  });

  it('rejects matcher operators outside the closed vocabulary', () => {
    const p = problems(rule.replace('{ fact: totalMs, gt: 100 }', '{ fact: totalMs, between: [1, 2] }'));
    expect(p).toEqual([{ file: 'r.yaml', line: 14, field: 'rules[0].match.all[1]', message: expect.stringMatching(/is not a matcher/) }]);
  });

  it('rejects an invalid regular expression', () => {
    const p = problems(rule.replace('{ fact: totalMs, gt: 100 }', '{ fact: url, regex: "([" }'));
    expect(p[0]).toMatchObject({ line: 14, field: 'rules[0].match.all[1].regex', message: expect.stringMatching(/invalid regular expression/) });
  });

  it('rejects unknown scanners and observation kinds when the scanner table is given', () => {
    const scanners = { reachability: { emits: ['reachability.fetch'] } };
    expect(problems(rule, { scanners })).toEqual([{ file: 'r.yaml', line: 10, field: 'rules[0].observation', message: expect.stringMatching(/emits no "reachability.homepage"/) }]);
    expect(problems(rule.replace('scanner: reachability', 'scanner: tls'), { scanners })[0]).toMatchObject({ line: 9, field: 'rules[0].scanner' });
  });

  it('reports YAML syntax errors with a line', () => {
    const p = problems('version: 1\nrules:\n  - id: [\n');
    expect(p[0]).toMatchObject({ file: 'r.yaml', message: expect.stringMatching(/invalid YAML/) });
    expect(p[0]!.line).toBeGreaterThan(0);
  });

  it('loads the shipped rules folder, and refuses duplicate ids across files', async () => {
    const rules = await loadRules(defaultRulesDir);
    expect(rules.map((r) => r.id)).toContain('census.unreachable');
    await expect(loadRules('/nonexistent-govscan-rules')).rejects.toBeInstanceOf(InputError);
  });
});

describe('matches', () => {
  const facts = { loaded: true, totalMs: 250, status: null, versions: ['TLSv1', 'TLSv1.2'], nested: { a: 'x' } };
  const cases: [Matcher, boolean][] = [
    [{ fact: 'loaded', equals: true }, true],
    [{ fact: 'totalMs', gt: 200 }, true],
    [{ fact: 'totalMs', lt: 200 }, false],
    [{ fact: 'versions', in: ['TLSv1', 'SSLv3'] }, true],
    [{ fact: 'versions', equals: 'TLSv1.2' }, true],
    [{ fact: 'versions', regex: '^SSL' }, false],
    [{ fact: 'nested.a', regex: '^x$' }, true],
    [{ fact: 'status', missing: true }, true],
    [{ fact: 'nothing', missing: true }, true],
    [{ fact: 'loaded', missing: true }, false],
    [{ fact: 'status', gt: 0 }, false],
    // not of an unknown is unknown, and an unknown never holds
    [{ not: { fact: 'status', gt: 0 } }, false],
    [{ all: [{ fact: 'loaded', equals: true }, { fact: 'totalMs', gt: 1000 }] }, false],
    [{ any: [{ fact: 'loaded', equals: false }, { fact: 'totalMs', gt: 100 }] }, true],
  ];
  it.each(cases)('%j → %s', (m, expected) => {
    expect(matches(m, facts)).toBe(expected);
  });

  it('never lets an unknown (null) fact satisfy a comparison', () => {
    expect(matches({ fact: 'loaded', equals: false }, { loaded: null })).toBe(false);
    expect(matches({ fact: 'totalMs', lt: 5 }, { totalMs: null })).toBe(false);
  });
});

describe('judge', () => {
  it('turns matching observations into findings with evidence and stable ids', () => {
    const out: InputProblem[] = [];
    const rules = parseRuleFile(rule, 'r.yaml', out);
    const obs = (totalMs: number, code: string): Observation => ({ scanner: 'reachability', kind: 'reachability.homepage', site: { code, name: 'n' }, target: 'https://a/', locator: 'homepage', facts: { loaded: true, totalMs }, observedAt: '2026-01-01T00:00:00.000Z' });
    const f = judge(rules, [obs(50, '5118000001'), obs(500, '5118000002'), { ...obs(500, '5118000003'), kind: 'other.kind' }]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'demo.slow', severity: 'low', site: { code: '5118000002' }, evidence: ['totalMs: 500'] });
    const again = judge(rules, [{ ...obs(900, '5118000002'), observedAt: '2027-01-01T00:00:00.000Z' }]);
    expect(again[0]!.id).toBe(f[0]!.id);
  });
});
