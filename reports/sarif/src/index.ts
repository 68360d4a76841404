/**
 * `findings.sarif`: the run as SARIF 2.1.0, for GitHub code scanning and other
 * SARIF viewers. One SARIF run; one reporting descriptor per govscan rule; one
 * result per finding; failed and undetermined checks (attempts with status
 * `error` / `unknown`) as tool execution notifications.
 */
import {
  compareAttempts,
  describeReason,
  findingFingerprint,
  judgeSites,
  type ReportOptions,
  compareFindings,
  compareText,
  siteOrder,
  type Attempt,
  type AttemptStatus,
  type Fact,
  type Finding,
  type Reporter,
  type Rule,
  type ScanRun,
  type Severity,
} from '@govscan/core';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** Key of the govscan finding id in `result.partialFingerprints`. */
export const FINGERPRINT_KEY = 'govscanFindingId/v1';

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

/** SARIF `level` for each govscan severity. */
export const SEVERITY_LEVEL: Readonly<Record<Severity, SarifLevel>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub code scanning `security-severity` (a CVSS-like score, as a string) for each severity. */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

// ---------------------------------------------------------------------------
// The subset of SARIF 2.1.0 this reporter writes.

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string } };
  logicalLocations: Array<{ name: string; fullyQualifiedName: string; kind: string }>;
}

export interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription?: SarifMessage;
  helpUri?: string;
  help?: SarifMessage;
  defaultConfiguration: { level: SarifLevel };
  properties?: Record<string, Fact>;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  /** `fail`: a problem; `informational`: a grade or a fact; `open`: the rule could not be decided on the site. */
  kind: 'fail' | 'informational' | 'open';
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, Fact>;
}

export interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  descriptor: { id: string; index: number };
  timeUtc: string;
  locations: SarifLocation[];
  properties: Record<string, Fact>;
}

export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: Array<{
    tool: {
      driver: {
        name: string;
        version: string;
        rules: SarifReportingDescriptor[];
        notifications: SarifReportingDescriptor[];
      };
    };
    invocations: Array<{
      executionSuccessful: boolean;
      startTimeUtc: string;
      endTimeUtc: string;
      toolExecutionNotifications: SarifNotification[];
    }>;
    results: SarifResult[];
    properties: Record<string, Fact>;
  }>;
}

// ---------------------------------------------------------------------------


/** Non-failing attempt statuses reported as notifications, with their descriptor. */
const ATTEMPT_NOTIFICATIONS: ReadonlyArray<{ status: Exclude<AttemptStatus, 'ok'>; descriptor: SarifReportingDescriptor }> = [
  {
    status: 'error',
    descriptor: {
      id: 'attempt.error',
      name: 'AttemptError',
      shortDescription: { text: 'A check failed at the network level (timeout, refused, reset).' },
      fullDescription: {
        text: 'The check ran and the target failed it at the network level. The facts it would have established are missing; this is never counted as a pass.',
      },
      defaultConfiguration: { level: 'warning' },
    },
  },
  {
    status: 'unknown',
    descriptor: {
      id: 'attempt.unknown',
      name: 'AttemptUnknown',
      shortDescription: { text: 'A check could not establish its fact (resolver failure, address policy, scanner crash).' },
      fullDescription: {
        text: 'The check could not determine the fact at all. The result is unknown, not a pass.',
      },
      defaultConfiguration: { level: 'note' },
    },
  },
];

/** `https.not-enforced` → `HttpsNotEnforced`. */
export function ruleName(id: string): string {
  const name = id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return name || id;
}

/**
 * A URI reference for a target (URL or host name): kept as given, except that
 * characters not allowed in URIs (non-ASCII such as IDN hosts or Chinese
 * paths, spaces, quotes) are percent-encoded as UTF-8. Existing escapes stay.
 */
export function targetUri(target: string): string {
  return target.replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/gu, (s) => encodeURIComponent(s));
}

function isHttpUrl(s: string): boolean {
  if (!/^https?:\/\//i.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

function uniqueStrings(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

function descriptorFor(rule: Rule): SarifReportingDescriptor {
  const reference = rule.reference.trim();
  const refUrl = isHttpUrl(reference) ? reference : undefined;
  const helpText = reference ? `${rule.remediation.en}\n\nReference: ${reference}` : rule.remediation.en;
  const markdownRef = refUrl ? `<${refUrl}>` : reference;
  const helpMarkdown = [
    `**Remediation:** ${rule.remediation.en}`,
    `**整改建议：** ${rule.remediation.zh}`,
    ...(reference ? [`**Reference / 依据：** ${markdownRef}`] : []),
  ].join('\n\n');
  return {
    id: rule.id,
    name: ruleName(rule.id),
    shortDescription: { text: rule.title.en },
    fullDescription: { text: rule.description.en },
    ...(refUrl ? { helpUri: refUrl } : {}),
    help: { text: helpText, markdown: helpMarkdown },
    defaultConfiguration: { level: SEVERITY_LEVEL[rule.severity] },
    properties: {
      severity: rule.severity,
      'security-severity': SECURITY_SEVERITY[rule.severity],
      // GitHub code scanning honours `security-severity` only for rules tagged `security`.
      tags: uniqueStrings(['security', ...(rule.tags ?? [])]),
      'title-zh': rule.title.zh,
      'description-zh': rule.description.zh,
      'remediation-zh': rule.remediation.zh,
      reference: rule.reference,
    },
  };
}

function findingMessage(f: Finding): string {
  const head = `${f.title.en} (${f.title.zh}) — ${f.site.name} ${f.site.code}`;
  return f.evidence.length > 0 ? `${head}: ${f.evidence.join('; ')}` : head;
}

function attemptMessage(a: Attempt): string {
  const what = a.status === 'error' ? 'Check failed' : 'Check could not determine its result';
  const why = a.error ? `${a.error.code}: ${a.error.message}` : 'no error detail recorded';
  return `${what}: ${a.site.name} ${a.site.code} — ${a.scanner} ${a.check} on ${a.target}: ${why}`;
}

/** Build the SARIF 2.1.0 log for a run. Pure; does not mutate `run`. */
export function toSarif(run: ScanRun, options: ReportOptions = {}): SarifLog {
  const order = siteOrder(run.sites);
  const judgeOptions = options.problemSeverity ? { problemSeverity: options.problemSeverity } : {};

  // One descriptor per rule, by id, so indexes do not depend on load order.
  const seen = new Set<string>();
  const rules = run.rules
    .filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)))
    .sort((a, b) => compareText(a.id, b.id));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));

  const findings = [...run.findings].sort(compareFindings(order));

  const kindOf = new Map(rules.map((r) => [r.id, r.kind]));
  const results: SarifResult[] = findings.map((f) => {
    const index = ruleIndex.get(f.ruleId);
    const problem = (kindOf.get(f.ruleId) ?? 'problem') === 'problem';
    return {
      ruleId: f.ruleId,
      ...(index === undefined ? {} : { ruleIndex: index }),
      kind: problem ? 'fail' : 'informational',
      // SARIF: a result of another kind than `fail` has level `none`.
      level: problem ? SEVERITY_LEVEL[f.severity] : 'none',
      message: { text: findingMessage(f) },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: targetUri(f.target) } },
          logicalLocations: [{ name: f.locator, fullyQualifiedName: `${f.site.code}/${f.locator}`, kind: 'resource' }],
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: f.id },
      properties: {
        siteCode: f.site.code,
        siteName: f.site.name,
        severity: f.severity,
        evidence: [...f.evidence],
        observedAt: f.observedAt,
        scanner: f.scanner,
      },
    };
  });

  // What could not be decided is said as such: an `open` result per site and 突出问题 rule undetermined.
  const urls = new Map(run.sites.map((s) => [s.code, s.urls[0] ?? s.code]));
  for (const j of judgeSites(run, judgeOptions))
    for (const u of j.undetermined) {
      const index = ruleIndex.get(u.rule.id);
      const target = urls.get(j.site.code) ?? j.site.code;
      results.push({
        ruleId: u.rule.id,
        ...(index === undefined ? {} : { ruleIndex: index }),
        kind: 'open',
        level: 'none',
        message: { text: `Could not be decided (未能检查): ${u.rule.title.en} (${u.rule.title.zh}) — ${j.site.name} ${j.site.code}: ${describeReason(u.reason)}; ${u.reason.code} ${u.reason.message}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: targetUri(target) } }, logicalLocations: [{ name: 'site', fullyQualifiedName: `${j.site.code}/site`, kind: 'resource' }] }],
        partialFingerprints: { [FINGERPRINT_KEY]: findingFingerprint(u.rule.id, j.site.code, target, 'undetermined') },
        properties: { siteCode: j.site.code, siteName: j.site.name, severity: u.rule.severity, scanner: u.rule.scanner, reasonCode: u.reason.code, reasonCheck: u.reason.check, reason: u.reason.message },
      });
    }

  const notificationDescriptors = ATTEMPT_NOTIFICATIONS.map((n) => n.descriptor);
  const descriptorIndex = new Map(ATTEMPT_NOTIFICATIONS.map((n, i) => [n.status, i]));

  const notifications: SarifNotification[] = run.attempts
    .filter((a) => a.status !== 'ok')
    .sort(compareAttempts(order))
    .map((a): SarifNotification => {
      const status = a.status === 'error' ? 'error' : 'unknown';
      return {
        level: status === 'error' ? 'warning' : 'note',
        message: { text: attemptMessage(a) },
        descriptor: { id: `attempt.${status}`, index: descriptorIndex.get(status) ?? 0 },
        timeUtc: a.startedAt,
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: targetUri(a.target) } },
            logicalLocations: [{ name: a.check, fullyQualifiedName: `${a.site.code}/${a.check}`, kind: 'resource' }],
          },
        ],
        properties: {
          siteCode: a.site.code,
          siteName: a.site.name,
          scanner: a.scanner,
          check: a.check,
          target: a.target,
          status: a.status,
          errorCode: a.error?.code ?? null,
          errorMessage: a.error?.message ?? null,
          durationMs: a.durationMs,
        },
      };
    });

  const registry: Record<string, Fact> = { file: run.registry.file, sites: run.registry.sites };
  if (run.registry.title !== undefined) registry.title = run.registry.title;

  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: 'govscan',
            version: run.tool.version,
            rules: rules.map(descriptorFor),
            notifications: notificationDescriptors,
          },
        },
        invocations: [
          {
            // The tool itself ran to completion; failed checks are notifications, not a failed execution.
            executionSuccessful: true,
            startTimeUtc: run.startedAt,
            endTimeUtc: run.finishedAt,
            toolExecutionNotifications: notifications,
          },
        ],
        results,
        properties: {
          registry,
          scanners: [...run.scanners],
          options: { ...run.options },
        },
      },
    ],
  };
}

export const sarifReporter: Reporter = {
  id: 'sarif',
  fileName: 'findings.sarif',
  render(run: ScanRun, options?: ReportOptions): string {
    return `${JSON.stringify(toSarif(run, options), null, 2)}\n`;
  },
};
