import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule, { type ErrorObject } from 'ajv';
import { createRequire } from 'node:module';
import { isCollection, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { InputError, type InputProblem } from './errors.js';
import { RULE_KINDS, SEVERITIES, type LeafMatcher, type Matcher, type Rule } from './types.js';

/** The `rules/` folder at the top of the workspace (the same from `src/` and `dist/`). */
export const defaultRulesDir = fileURLToPath(new URL('../../../rules/', import.meta.url));

const LEAF_OPS = ['equals', 'in', 'lt', 'gt', 'regex', 'missing'] as const;

const localized = {
  type: 'object',
  required: ['zh', 'en'],
  additionalProperties: false,
  properties: { zh: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
};

/** JSON Schema of a rule file. The matcher vocabulary is closed: nothing else is accepted. */
export const ruleFileSchema = {
  $id: 'https://govscan.dev/schema/rules-v1.json',
  type: 'object',
  required: ['version', 'rules'],
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    rules: { type: 'array', items: { $ref: '#/$defs/rule' } },
  },
  $defs: {
    rule: {
      type: 'object',
      required: ['id', 'title', 'severity', 'description', 'remediation', 'reference', 'scanner', 'observation', 'match'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: '^[a-z0-9]+(\\.[a-z0-9-]+)+$' },
        title: localized,
        severity: { enum: [...SEVERITIES] },
        description: localized,
        remediation: localized,
        reference: { type: 'string', minLength: 1 },
        scanner: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
        observation: { type: 'string', pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)+$' },
        match: { $ref: '#/$defs/matcher' },
        evidence: { type: 'array', items: { type: 'string', minLength: 1 } },
        tags: { type: 'array', items: { type: 'string' } },
        kind: { enum: [...RULE_KINDS] },
        census: {
          type: 'object',
          required: ['phrase'],
          additionalProperties: false,
          properties: {
            phrase: { type: 'string', minLength: 1 },
            detail: { enum: ['count', 'values'] },
            fact: { type: 'string', minLength: 1 },
          },
        },
        grade: {
          type: 'object',
          required: ['fact', 'order'],
          additionalProperties: false,
          properties: {
            fact: { type: 'string', minLength: 1 },
            order: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          },
        },
        classification: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
      },
    },
    matcher: {
      oneOf: [
        { type: 'object', required: ['all'], additionalProperties: false, properties: { all: { type: 'array', minItems: 1, items: { $ref: '#/$defs/matcher' } } } },
        { type: 'object', required: ['any'], additionalProperties: false, properties: { any: { type: 'array', minItems: 1, items: { $ref: '#/$defs/matcher' } } } },
        { type: 'object', required: ['not'], additionalProperties: false, properties: { not: { $ref: '#/$defs/matcher' } } },
        {
          type: 'object',
          required: ['fact'],
          additionalProperties: false,
          minProperties: 2,
          maxProperties: 2,
          properties: {
            fact: { type: 'string', minLength: 1 },
            equals: {},
            in: { type: 'array' },
            lt: { type: 'number' },
            gt: { type: 'number' },
            regex: { type: 'string' },
            missing: { type: 'boolean' },
          },
        },
      ],
    },
  },
} as const;

const Ajv = AjvModule.default ?? AjvModule;
let validateRuleFile: ReturnType<InstanceType<typeof Ajv>['compile']> | undefined;
function validator(): NonNullable<typeof validateRuleFile> {
  validateRuleFile ??= new Ajv({ allErrors: true, strict: true }).compile(ruleFileSchema);
  return validateRuleFile;
}

/** Every `*.yaml`/`*.yml` below `dir`, sorted, so load order never depends on the file system. */
async function ruleFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.ya?ml$/i.test(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

export interface LoadRulesOptions {
  /** Known scanners and the observation kinds they emit; rules naming others are rejected. */
  scanners?: Record<string, { emits: readonly string[] }>;
  /**
   * Refuse regular expressions that can take super-linear time (ReDoS), checked by recheck.
   * Default: on for rule folders other than the shipped one (whose patterns a test checks).
   */
  checkRegexSafety?: boolean;
}

/** Load and validate every rule file below `dir`. Throws `InputError` listing every problem of every file. */
export async function loadRules(dir: string = defaultRulesDir, options: LoadRulesOptions = {}): Promise<Rule[]> {
  let files: string[];
  try {
    files = await ruleFiles(dir);
  } catch (err) {
    throw new InputError('E_RULES_READ', [{ file: dir, line: 0, field: '', message: `cannot read rules folder (${(err as NodeJS.ErrnoException).code ?? 'EIO'})` }]);
  }
  const problems: InputProblem[] = [];
  const rules: Rule[] = [];
  const safety = options.checkRegexSafety ?? path.resolve(dir) !== path.resolve(defaultRulesDir);
  for (const file of files) rules.push(...parseRuleFile(await readFile(file, 'utf8'), file, problems, { ...options, checkRegexSafety: safety }));
  const seen = new Map<string, Rule>();
  for (const r of rules) {
    const first = seen.get(r.id);
    if (first) problems.push({ file: r.source.file, line: r.source.line, field: 'id', message: `duplicate rule id ${r.id} (first in ${first.source.file}:${first.source.line})` });
    else seen.set(r.id, r);
  }
  if (problems.length > 0) throw new InputError('E_RULES_INVALID', problems);
  return rules;
}

/** Parse one rule file; problems are appended, valid rules returned. */
export function parseRuleFile(text: string, file: string, problems: InputProblem[], options: LoadRulesOptions = {}): Rule[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineAt = (node: unknown): number => {
    const range = (node as YamlNode | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : 0;
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.push({ file, line: lineCounter.linePos(e.pos[0]).line, field: '', message: `invalid YAML: ${e.message.split('\n')[0]}` });
    return [];
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    problems.push({ file, line: 1, field: '', message: `invalid YAML: ${(err as Error).message} (aliases are limited to 100 expansions)` });
    return [];
  }
  const validate = validator();
  if (!validate(data)) {
    for (const e of simplifyErrors(validate.errors ?? [])) {
      const segs = e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
      let node: unknown = segs.length ? doc.getIn(segs, true) : doc.contents;
      for (let n = segs.length; (node === undefined || node === null) && n > 0; n--) node = doc.getIn(segs.slice(0, n - 1), true);
      problems.push({ file, line: lineAt(node) || 1, field: fieldPath(segs), message: describeAjvError(e) });
    }
    return [];
  }
  const parsed = data as { rules: (Omit<Rule, 'source' | 'kind'> & { kind?: Rule['kind'] })[] };
  const rules: Rule[] = [];
  parsed.rules.forEach((r, i) => {
    const line = lineAt(doc.getIn(['rules', i], true));
    const before = problems.length;
    const at = (p: (string | number)[], message: string): void => {
      problems.push({ file, line: lineAt(doc.getIn(['rules', i, ...p], true)) || line, field: fieldPath(['rules', i, ...p]), message });
    };
    const kind = r.kind ?? 'problem';
    const evidence = r.evidence ?? [];
    if (kind === 'grade' && !r.grade) at(['kind'], 'a rule of kind grade needs a "grade" block (fact and order)');
    if (kind !== 'grade' && r.grade) at(['grade'], 'only a rule of kind grade has a "grade" block');
    if (r.grade && !evidence.includes(r.grade.fact)) at(['grade', 'fact'], `"${r.grade.fact}" must be one of the rule's evidence paths`);
    if (r.census && kind !== 'problem') at(['census'], 'only a problem is a census indicator');
    if (r.census?.detail === 'values' && !r.census.fact) at(['census', 'detail'], 'detail "values" needs "fact", the path whose values are listed');
    if (r.census?.fact && !evidence.includes(r.census.fact)) at(['census', 'fact'], `"${r.census.fact}" must be one of the rule's evidence paths`);
    checkRegexes(r.match, (msg, p) => at(['match', ...p], msg), [], options.checkRegexSafety ?? false);
    if (options.scanners) {
      const scanner = options.scanners[r.scanner];
      if (!scanner) at(['scanner'], `unknown scanner "${r.scanner}" (known: ${Object.keys(options.scanners).join(', ')})`);
      else if (!scanner.emits.includes(r.observation)) at(['observation'], `scanner ${r.scanner} emits no "${r.observation}" (it emits: ${scanner.emits.join(', ')})`);
    }
    if (problems.length === before) rules.push({ ...r, kind, source: { file, line } });
  });
  return rules;
}

function checkRegexes(m: Matcher, report: (msg: string, p: (string | number)[]) => void, at: (string | number)[] = [], safety = false): void {
  if ('all' in m) m.all.forEach((x, i) => checkRegexes(x, report, [...at, 'all', i], safety));
  else if ('any' in m) m.any.forEach((x, i) => checkRegexes(x, report, [...at, 'any', i], safety));
  else if ('not' in m) checkRegexes(m.not, report, [...at, 'not'], safety);
  else if (m.regex !== undefined) {
    try {
      new RegExp(m.regex, 'u');
    } catch (err) {
      report(`invalid regular expression: ${(err as Error).message}`, [...at, 'regex']);
      return;
    }
    if (safety) {
      const why = regexHazard(m.regex);
      if (why) report(why, [...at, 'regex']);
    }
  }
}

/** recheck, loaded when a rule file of the user's own is first checked (it costs 0.2 s of start-up). */
let recheckLoaded: typeof import('recheck') | null = null;
function recheckModule(): typeof import('recheck') {
  recheckLoaded ??= createRequire(import.meta.url)('recheck') as typeof import('recheck');
  return recheckLoaded;
}

/**
 * Why a pattern is unsafe to run on scanned text (it can take exponential or
 * polynomial time: ReDoS), or null. recheck analyses the pattern itself, so
 * `^(a+)+$` is refused and `^www\.([a-z0-9-]+\.)?gov\.cn$` is not; a pattern it
 * cannot settle within its budget is refused too.
 */
export function regexHazard(source: string): string | null {
  const r = recheckModule().checkSync(source, 'u', { timeout: 2000 });
  if (r.status === 'safe') return null;
  if (r.status === 'vulnerable') return `regular expression can take ${r.complexity.type === 'exponential' ? 'exponential' : 'polynomial'} time on hostile text (ReDoS, e.g. ${JSON.stringify(r.attack.pattern).slice(0, 80)}): rewrite it`;
  return `regular expression could not be shown safe from ReDoS (${r.error.kind}): rewrite it more simply`;
}

function fieldPath(segs: (string | number)[]): string {
  return segs.reduce<string>((acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

/** `oneOf` over matchers produces one error per branch; keep the one that explains the most. */
function simplifyErrors(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) byPath.set(e.instancePath, [...(byPath.get(e.instancePath) ?? []), e]);
  const out: ErrorObject[] = [];
  for (const [p, list] of byPath) {
    const deeper = [...byPath.keys()].some((k) => k !== p && k.startsWith(p + '/'));
    const specific = list.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if');
    if (list.some((e) => e.keyword === 'oneOf') && deeper) continue;
    if (list.some((e) => e.keyword === 'oneOf')) {
      out.push({ ...list[0]!, keyword: 'matcher', message: `is not a matcher: use one of all, any, not, or {fact, ${LEAF_OPS.join('|')}}` } as ErrorObject);
      continue;
    }
    out.push(...(specific.length ? specific : list).slice(0, 3));
  }
  return out;
}

function describeAjvError(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing required field "${String(params.missingProperty)}"`;
    case 'additionalProperties':
      return `unknown field "${String(params.additionalProperty)}"`;
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return e.message ?? e.keyword;
  }
}

// ---------------------------------------------------------------------------
// Matching

/** Read a dotted path (`a.b.0.c`) out of a facts object. */
export function factAt(facts: unknown, dotted: string): unknown {
  let cur: unknown = facts;
  for (const seg of dotted.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/**
 * Evaluate a matcher in three values: `true` (it holds), `false` (it does
 * not), or `null` when a fact it needs is unknown (null or absent). `all`
 * is false as soon as one part is false, `any` true as soon as one part is
 * true; otherwise an unknown part makes the whole unknown, and `not` of an
 * unknown is unknown. Leaf operators on an array fact hold when any element
 * satisfies them. `missing` and `equals: null` ask about the unknown itself,
 * so they always answer.
 */
export function evaluate(m: Matcher, facts: unknown): boolean | null {
  if ('all' in m) return combine(m.all, facts, false);
  if ('any' in m) return combine(m.any, facts, true);
  if ('not' in m) {
    const v = evaluate(m.not, facts);
    return v === null ? null : !v;
  }
  return leaf(m, factAt(facts, m.fact));
}

/** `all` (a false part decides) or `any` (a true part decides); without a deciding part, an unknown part makes it unknown. */
function combine(parts: readonly Matcher[], facts: unknown, decisive: boolean): boolean | null {
  let unknown = false;
  for (const x of parts) {
    const v = evaluate(x, facts);
    if (v === decisive) return decisive;
    if (v === null) unknown = true;
  }
  return unknown ? null : !decisive;
}

/** Whether a matcher holds: `evaluate` is true. An unknown never holds. */
export function matches(m: Matcher, facts: unknown): boolean {
  return evaluate(m, facts) === true;
}

/** The fact paths of a matcher's leaves whose value is unknown (what made `evaluate` return null). */
export function unknownFacts(m: Matcher, facts: unknown, out: string[] = []): string[] {
  if ('all' in m) for (const x of m.all) unknownFacts(x, facts, out);
  else if ('any' in m) for (const x of m.any) unknownFacts(x, facts, out);
  else if ('not' in m) unknownFacts(m.not, facts, out);
  else if (leaf(m, factAt(facts, m.fact)) === null && !out.includes(m.fact)) out.push(m.fact);
  return out;
}

const regexCache = new Map<string, RegExp>();
function compiled(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(source, 'u');
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

function leaf(m: LeafMatcher, value: unknown): boolean | null {
  const unknown = value === undefined || value === null;
  if (m.missing !== undefined) return unknown === m.missing;
  if ('equals' in m && m.equals === null) return unknown;
  if (unknown) return null;
  const values = Array.isArray(value) ? value : [value];
  if ('equals' in m && Array.isArray(m.equals)) return deepEqual(value, m.equals);
  if (values.length > 0 && values.every((v) => v === null)) return null;
  const one = (v: unknown): boolean => {
    if ('equals' in m) return deepEqual(v, m.equals);
    if (m.in !== undefined) return m.in.some((x) => deepEqual(v, x));
    if (m.lt !== undefined) return typeof v === 'number' && v < m.lt;
    if (m.gt !== undefined) return typeof v === 'number' && v > m.gt;
    if (m.regex !== undefined) return typeof v === 'string' && compiled(m.regex).test(v);
    return false;
  };
  return values.some(one);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined) return b === null; // an absent fact equals null (unknown)
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
