/**
 * `govscan lint --registry FILE`: the registry-level naming rules (domain
 * suffix and form, number of domains, site code), offline. Nothing is sent
 * anywhere: the rules judge what the registry itself says.
 */
import {
  defaultRulesDir,
  GovscanError,
  InputError,
  formatProblems,
  judge,
  loadRegistry,
  loadRules,
  SEVERITIES,
  severityRank,
  type Finding,
  type Registry,
  type Rule,
  type Severity,
} from '@govscan/core';
import { REGISTRY_KINDS, registryObservations } from '@govscan/scanner-naming';
import { ruleScanners } from '../../tables.js';

export interface LintOptions {
  registry: string;
  /** Rule files (default: the rules/ folder shipped with govscan). */
  rulesDir?: string;
  stdout: NodeJS.WritableStream;
  /** Where input problems go (default: stdout). */
  stderr?: NodeJS.WritableStream;
  format?: 'text' | 'json';
  /** Exit 1 only for findings at or above this severity (default: info, i.e. any finding). */
  failOn?: Severity;
  /** Clock, for reproducible output in tests. */
  now?: () => Date;
}


const SEVERITY_LABEL: Record<Severity, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };

/** Run the lint; resolves to the exit code (0 clean, 1 findings, 2 bad input). Never throws for bad input. */
export async function lintCommand(o: LintOptions): Promise<number> {
  const err = o.stderr ?? o.stdout;
  let registry: Registry;
  let rules: Rule[];
  try {
    if (o.format !== undefined && o.format !== 'text' && o.format !== 'json') throw new GovscanError('E_USAGE', `--format: expected text or json, got ${JSON.stringify(o.format)}`, { exitCode: 2 });
    registry = await loadRegistry(o.registry);
    const all = await loadRules(o.rulesDir ?? defaultRulesDir, { scanners: ruleScanners });
    rules = all.filter((r) => r.scanner === 'naming' && (REGISTRY_KINDS as readonly string[]).includes(r.observation));
  } catch (e) {
    if (e instanceof InputError) {
      err.write(`govscan: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} in the input (${e.code}):\n${formatProblems(e.problems)}\n`);
      return 2;
    }
    if (e instanceof GovscanError && e.exitCode === 2) {
      err.write(`govscan: ${e.message} (${e.code})\n`);
      return 2;
    }
    throw e;
  }

  const observations = registryObservations(registry, o.now ? { now: o.now } : {});
  const order = new Map(registry.sites.map((s, i) => [s.code, i]));
  const findings = judge(rules, observations).sort(
    (a, b) => (order.get(a.site.code) ?? 0) - (order.get(b.site.code) ?? 0) || severityRank(b.severity) - severityRank(a.severity) || a.ruleId.localeCompare(b.ruleId) || a.target.localeCompare(b.target),
  );
  const failOn = o.failOn ?? 'info';
  const exit = findings.some((f) => severityRank(f.severity) >= severityRank(failOn)) ? 1 : 0;
  o.stdout.write(o.format === 'json' ? renderJson(registry, rules, findings) : renderText(registry, rules, findings));
  return exit;
}

function counts(findings: Finding[]): string {
  return [...SEVERITIES].reverse().map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
}

function renderText(registry: Registry, rules: Rule[], findings: Finding[]): string {
  const lines: string[] = [];
  lines.push(`govscan lint: ${registry.file}${registry.title ? ` (${registry.title})` : ''}`);
  lines.push(`  ${registry.sites.length} sites, ${rules.length} registry rules: ${rules.map((r) => r.id).join(', ')}`);
  lines.push('');
  const bySite = new Map<string, Finding[]>();
  for (const f of findings) bySite.set(f.site.code, [...(bySite.get(f.site.code) ?? []), f]);
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  for (const site of registry.sites) {
    const list = bySite.get(site.code);
    if (!list) continue;
    lines.push(`${site.source ? `${site.source.file}:${site.source.line}` : registry.file}  ${site.code} ${site.name} (${site.kind})`);
    for (const f of list) {
      const rule = ruleById.get(f.ruleId);
      lines.push(`  ${SEVERITY_LABEL[f.severity].padEnd(8)} ${f.ruleId}  ${f.title.zh} / ${f.title.en}`);
      const unicode = f.evidence.find((e) => e.startsWith('hostUnicode: '))?.slice('hostUnicode: '.length);
      const where = unicode && unicode !== f.target ? `${unicode} (${f.target})` : f.target;
      // The rule's evidence facts; the host is already named, the scanner's own lines repeat the registry.
      const facts = f.evidence.filter((e) => /^[A-Za-z]+: /.test(e) && !/^(host|hostUnicode): /.test(e));
      lines.push(`           ${where}${facts.length ? `: ${facts.join('; ')}` : ''}`);
      if (rule) lines.push(`           依据 ${rule.reference}`);
    }
    lines.push('');
  }
  const sitesWith = bySite.size;
  if (findings.length === 0) lines.push(`no findings: every domain and site code of the ${registry.sites.length} sites is in the form the naming rules ask for.`);
  else lines.push(`${findings.length} finding${findings.length === 1 ? '' : 's'} (${counts(findings)}) in ${sitesWith} of ${registry.sites.length} sites`);
  return lines.join('\n') + '\n';
}

function renderJson(registry: Registry, rules: Rule[], findings: Finding[]): string {
  const source = new Map(registry.sites.map((s) => [s.code, s.source ?? null]));
  return (
    JSON.stringify(
      {
        registry: { file: registry.file, ...(registry.title ? { title: registry.title } : {}), sites: registry.sites.length },
        rules: rules.map((r) => ({ id: r.id, severity: r.severity, title: r.title, reference: r.reference })),
        summary: Object.fromEntries([['total', findings.length], ...SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])]),
        findings: findings.map((f) => ({ ...f, source: source.get(f.site.code) ?? null })),
      },
      null,
      2,
    ) + '\n'
  );
}
