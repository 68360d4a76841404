/**
 * The shared vocabulary of govscan.
 *
 * Scanners collect facts (observations) and record every network check they
 * attempted (attempts). Rules, loaded from `rules/*.yaml`, judge observations
 * and turn them into findings. Nothing in a scanner decides a severity.
 */

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SITE_KINDS = ['portal', 'county-portal', 'department', 'other'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

/** A registered government website (one row of the 名录). */
export interface Site {
  /** 网站标识码, 10 characters: 6-digit division (or `bm` + 4 digits) + 4-digit sequence. */
  code: string;
  /** 网站名称 */
  name: string;
  /** 主办单位 */
  unit: string;
  kind: SiteKind;
  /** 6-digit administrative division code (行政区划代码). */
  division: string;
  /** Homepage URLs, primary first. */
  urls: string[];
  /** ICP 备案号, e.g. 蜀ICP备05005390号 */
  icp?: string;
  /** 公安机关备案号, e.g. 川公网安备 51180202000001号 */
  psb?: string;
  contact?: string;
  /** The office's own site: its robots.txt does not restrict the census crawl. */
  own?: boolean;
  /** Where the site was declared: registry file and 1-based line. */
  source?: { file: string; line: number };
}

export interface SiteRef {
  code: string;
  name: string;
}

export interface Registry {
  file: string;
  title?: string;
  sites: Site[];
}

/** A fact value: JSON-compatible. `null` means "could not be determined". */
export type Fact = string | number | boolean | null | Fact[] | { [key: string]: Fact };

/** What a scanner saw. Facts only; no judgement. */
export interface Observation {
  scanner: string;
  /** Dotted kind, e.g. `reachability.homepage`. Rules select observations by kind. */
  kind: string;
  site: SiteRef;
  /** What was looked at: a URL or a host name. */
  target: string;
  /** Where within the target, e.g. `homepage`, `https`, `dns:A`. */
  locator: string;
  facts: Record<string, Fact>;
  /** Human-readable evidence lines, carried into findings. */
  evidence?: string[];
  observedAt: string;
}

export const ATTEMPT_STATUSES = ['ok', 'error', 'unknown'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/**
 * One check a scanner tried to run. `error`: the check ran and the target
 * failed it at the network level (timeout, refused, reset). `unknown`: the
 * check could not establish the fact at all (resolver SERVFAIL or timeout,
 * address policy, scanner crash). Neither is ever counted as a pass.
 */
export interface Attempt {
  scanner: string;
  site: SiteRef;
  target: string;
  check: string;
  status: AttemptStatus;
  error?: { code: string; message: string };
  startedAt: string;
  durationMs: number;
  /**
   * Observation kinds whose completeness this check decides. When the check is
   * not `ok`, rules judging those kinds on this site are `undetermined` unless
   * an observation makes them fire: a failed homepage fetch leaves the link
   * rules undecided, it does not clear them. A probe whose failure is itself a
   * fact (an availability probe) covers nothing.
   */
  covers?: string[];
}

export interface LocalizedText {
  zh: string;
  en: string;
}

export interface Finding {
  /** Stable fingerprint of (ruleId, site code, target, locator). */
  id: string;
  ruleId: string;
  severity: Severity;
  title: LocalizedText;
  site: SiteRef;
  target: string;
  locator: string;
  evidence: string[];
  observedAt: string;
  scanner: string;
  /** The values of the rule's `evidence` fact paths, as structured facts (what outputs may show without parsing `evidence`). */
  facts: Record<string, Fact>;
  /** How many observations were merged into this finding (one per address of a host, say). */
  occurrences: number;
}

/** The closed matcher vocabulary of rule files. */
export type Matcher =
  | { all: Matcher[] }
  | { any: Matcher[] }
  | { not: Matcher }
  | LeafMatcher;

export interface LeafMatcher {
  /** Dotted path into the observation's facts. */
  fact: string;
  equals?: Fact;
  in?: Fact[];
  lt?: number;
  gt?: number;
  regex?: string;
  missing?: boolean;
}

/**
 * What a rule's firing means to the outputs. `problem`: something to fix (it
 * goes into 存在的突出问题 and the notices, at or above the problem threshold, or
 * always when it is a census indicator); `grade`: a rating (TLS A+…F) shown as
 * a column or badge, never counted as a problem; `fact`: a neutral or positive
 * fact (TLCP supported), shown, never a problem.
 */
export const RULE_KINDS = ['problem', 'grade', 'fact'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** How the 汇总表 words a census indicator (the phrases of the seed's table). */
export interface CensusWording {
  /** The phrase in 存在的突出问题, e.g. 链接无法打开. */
  phrase: string;
  /**
   * What follows the phrase when the rule fires more than once on a site:
   * `count` — （N处）; `values` — the distinct values of `fact` (（要闻动态、政策文件）).
   */
  detail?: 'count' | 'values';
  /** With `detail: values`: the fact path (one of the rule's evidence paths) whose values are listed. */
  fact?: string;
}

export interface GradeScale {
  /** Fact path that holds the grade (one of the rule's evidence paths). */
  fact: string;
  /** The grades from best to worst; when several observations disagree, the site shows the worst. */
  order: string[];
}

export interface Rule {
  id: string;
  title: LocalizedText;
  severity: Severity;
  description: LocalizedText;
  remediation: LocalizedText;
  reference: string;
  /** The scanner whose observations this rule judges. */
  scanner: string;
  /** The observation kind it judges. */
  observation: string;
  match: Matcher;
  /** Fact paths copied into the finding's evidence as `path: value` and into its `facts`. */
  evidence?: string[];
  tags?: string[];
  /** problem (the default), grade or fact. */
  kind: RuleKind;
  /** A census indicator (普查指标): listed in the 汇总表 with this wording, whatever its severity. */
  census?: CensusWording;
  /** With `kind: grade`: where the grade is and how grades rank. */
  grade?: GradeScale;
  /** `govscan hunt`: the classification a candidate gets when this rule fires on it. */
  classification?: string;
  /** Where the rule was loaded from. */
  source: { file: string; line: number };
}

// ---------------------------------------------------------------------------
// The judged model: per site and rule, one of three verdicts.

export const VERDICT_STATES = ['finding', 'cleared', 'undetermined'] as const;
/**
 * `finding`: the rule fired. `cleared`: every fact it needs was established
 * and it did not fire. `undetermined`: a fact it needs is unknown, or a check
 * that establishes its observations did not complete.
 */
export type VerdictState = (typeof VERDICT_STATES)[number];

/** Why a verdict is undetermined: the check that did not complete (or the facts that were unknown). */
export interface VerdictReason {
  /** Stable code: the attempt's error code (EDNSUNKNOWN, ETIMEDOUT, E_ABORTED …), or E_FACT_UNKNOWN, E_NOT_OBSERVED. */
  code: string;
  /** The check (`homepage`, `dns:A`, …) or, for unknown facts, the fact paths. */
  check: string;
  message: string;
}

export interface Verdict {
  site: string;
  ruleId: string;
  state: VerdictState;
  /** Fingerprints of the findings (state `finding`). */
  findings: string[];
  /** Fingerprints of the (rule, observation) pairs judged and not met. */
  cleared: string[];
  /** Fingerprints of the (rule, observation) pairs a fact of which was unknown. */
  undetermined: string[];
  /** Whether every check that establishes the rule's observations on the site completed. */
  complete: boolean;
  /** With state `undetermined` (and with a finding on an incomplete picture): why. */
  reason?: VerdictReason;
}

// ---------------------------------------------------------------------------
// Network ports. `@govscan/net` implements them; scanners only see these.

export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'NS' | 'MX' | 'TXT' | 'CAA' | 'SOA';

/** Three-state DNS outcome: `ok`/`nodata`/`nxdomain` are answers; the rest are unknowns. */
export type DnsStatus = 'ok' | 'nodata' | 'nxdomain' | 'servfail' | 'refused' | 'timeout' | 'error';

export interface DnsAnswer {
  name: string;
  type: DnsRecordType;
  ttl: number;
  /** Presentation form: an address, a name, `10 mx.example.cn`, TXT text, `0 issue "ca"`. */
  data: string;
}

export interface DnsResult {
  name: string;
  type: DnsRecordType;
  status: DnsStatus;
  answers: DnsAnswer[];
  /** `HOST:PORT` of the resolver asked, or `system`. */
  resolver: string;
  elapsedMs: number;
  error?: { code: string; message: string };
}

export interface NetError {
  /** Stable code: ETIMEDOUT, ECONNREFUSED, ECONNRESET, ENOTFOUND, EDNSUNKNOWN, EPOLICY, EREDIRECTLOOP, ETOOMANYREDIRECTS, EBADURL, … */
  code: string;
  message: string;
  /** `unknown` when the fact could not be established (DNS unknown, policy); `error` when the target failed. */
  status: 'error' | 'unknown';
}

export interface TlsSummary {
  protocol: string | null;
  cipher: string | null;
  authorized: boolean;
  authorizationError: string | null;
}

export interface HttpHop {
  url: string;
  status: number;
  location: string | null;
  /** Address and port actually connected to. */
  address: string | null;
  port: number | null;
  elapsedMs: number;
}

export interface FetchResult {
  /** The URL asked for. */
  url: string;
  /** The last URL fetched (after redirects). */
  finalUrl: string;
  hops: HttpHop[];
  /** Final status, or null when no response was had. */
  status: number | null;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** True when the body was cut at the byte limit. */
  truncated: boolean;
  tls: TlsSummary | null;
  timings: { totalMs: number; firstByteMs: number | null };
  error: NetError | null;
}

export interface FetchOptions {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  maxRedirects?: number;
  maxBytes?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Resolve only A (4) or only AAAA (6) records, e.g. to test a site over IPv6. */
  family?: 4 | 6;
  /** Connect to this address instead of resolving the URL's host (redirects to other hosts resolve as usual). */
  address?: string;
  /**
   * A deliberate repeat (an availability probe): sent and resolved anew, not
   * answered from the run's fetch memo, which shares one answer per request
   * among the scanners.
   */
  fresh?: boolean;
}

export interface ConnectOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  family?: 4 | 6;
  /** Connect to this address instead of resolving the host. */
  address?: string;
}

/** A raw TCP connection, opened through --connect-to, the resolver and the address policy. */
export interface RawConnection {
  socket: import('node:net').Socket;
  address: string;
  port: number;
}

export interface ResolveOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface NetClient {
  resolve(name: string, type: DnsRecordType, options?: ResolveOptions): Promise<DnsResult>;
  fetch(url: string, options?: FetchOptions): Promise<FetchResult>;
  /** Open a raw TCP connection (e.g. to speak TLS by hand). The caller must destroy the socket. */
  connect(host: string, port: number, options?: ConnectOptions): Promise<RawConnection | NetError>;
  /** Whether a host is one of the registry's (the address policy does not apply to those). */
  isRegisteredHost(host: string): boolean;
  /** The address this run's requests to a host go to (its lookup is shared by every request), or null when it has none. */
  addressOf(host: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<string | null>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Scanners.

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface ScanContext {
  net: NetClient;
  registry: Registry;
  /** Per-operation timeout in milliseconds. */
  timeoutMs: number;
  signal: AbortSignal;
  log: Logger;
  /** Clock, so tests and reports agree on times. */
  now(): Date;
  /** The --ca-file of the run (extra trusted CAs, PEM), for scanners that judge certificates themselves. */
  caFile?: string;
}

export interface ScanOutput {
  observations: Observation[];
  attempts: Attempt[];
}

export interface Scanner {
  id: string;
  title: LocalizedText;
  /** Observation kinds this scanner emits; rules may only select these. */
  emits: readonly string[];
  /** Never throws for network trouble: that is recorded as attempts. */
  scan(site: Site, ctx: ScanContext): Promise<ScanOutput>;
}

// ---------------------------------------------------------------------------
// A complete run, as reporters receive it.

export interface ScanRun {
  tool: { name: string; version: string };
  startedAt: string;
  finishedAt: string;
  registry: { file: string; title?: string; sites: number };
  scanners: string[];
  options: Record<string, Fact>;
  sites: Site[];
  rules: Rule[];
  observations: Observation[];
  attempts: Attempt[];
  findings: Finding[];
  /** Per site and rule in scope (the rules of the scanners that ran), the verdict. */
  verdicts: Verdict[];
}

/**
 * A run as it is kept and read back (`findings.json`): the judged model
 * without the raw observations. What `--previous` and `govscan diff` compare.
 */
export type RunRecord = Omit<ScanRun, 'observations' | 'rules'> & { rules: RuleInfo[]; observations?: Observation[]; source?: string };

/** What outputs know of a rule: everything but its matcher and where it was loaded from. */
export type RuleInfo = Omit<Rule, 'match' | 'source'> & Partial<Pick<Rule, 'match' | 'source'>>;

/** Options a reporter that writes files itself may use. */
export interface ReportOptions {
  /** The earlier run to compare with (`--previous DIR`), read once by the command: what was fixed, what remains. */
  previous?: RunRecord;
  /** The lowest severity at which a problem is a 突出问题 (census indicators always are); default `low`. */
  problemSeverity?: Severity;
  /** Deadline of rectification notices: `YYYY-MM-DD`, or a number of days after the run. */
  deadline?: string;
}

export interface Reporter {
  id: string;
  /** File name written in the output directory. */
  fileName: string;
  render(run: ScanRun, options?: ReportOptions): string;
  /**
   * Optional: write one or more files (binary ones too) into `dir` instead of
   * `render`'s single text file; resolves to the paths written.
   */
  write?(run: ScanRun, dir: string, options?: ReportOptions): Promise<string[]>;
}
