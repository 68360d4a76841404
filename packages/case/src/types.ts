import type { NetError } from '@govscan/core';
import type { Attribution, IdentityTokens } from '@govscan/identity';
import type { CertSummary, DnsCapture } from './capture.js';
import type { FormFacts } from './page.js';

/** The office's details for the dossier (`--case-config`, YAML or JSON). */
export interface CaseConfig {
  /** 报送单位: the telecom authority the dossier is addressed to. */
  addressee: string;
  /** 报送单位 (the reporting unit). */
  reportingUnit: string;
  contact: { name: string; phone: string; email?: string };
  /** The police unit the 报案材料 goes to. */
  police: string;
  /** Who is investigating (custody actor). */
  investigator?: string;
  /** How the site was found, e.g. 网友留言. */
  foundVia: string;
  /** When it was first seen (ISO time; shown in UTC+8). */
  firstSeenAt?: string;
  /** A reference number of the office, e.g. 雅府办网〔2018〕12号. */
  reference?: string;
  /** XARF reporter/sender (an e-mail contact and the office's domain). */
  xarf?: { org?: string; contact: string; domain: string };
}

export interface EvidenceFile {
  path: string;
  sha256: string;
  bytes: number;
  /** UTC ISO time of capture. */
  at: string;
  /** What it is, in Chinese. */
  zh: string;
  mediaType: string;
}

export interface ExchangeSummary {
  profile: string;
  hop: number;
  url: string;
  at: string;
  status: number | null;
  location: string | null;
  address: string | null;
  contentType: string | null;
  server: string | null;
  bodySha256: string;
  bodyBytes: number;
  truncated: boolean;
  error: NetError | null;
}

export interface ProfileResult {
  profile: 'desktop' | 'mobile';
  label: string;
  userAgent: string;
  finalUrl: string;
  status: number | null;
  error: NetError | null;
  title: string | null;
  forms: FormFacts[];
  tokens: IdentityTokens | null;
  bodySha256: string | null;
  page: string | null;
}

export interface BrowserResult {
  profile: 'desktop' | 'mobile' | 'genuine';
  status: 'captured' | 'partial' | 'failed' | 'not-captured';
  reason: string | null;
  finalUrl: string | null;
  title: string | null;
  files: { viewport?: string; fullPage?: string; dom?: string; pdf?: string; requests?: string };
  blockedRequests: number;
  dialogs: string[];
}

export type Liveness = 'live' | 'down' | 'refused' | 'unknown';

export interface CaseCapture {
  at: string;
  liveness: Liveness;
  /** One line, Chinese, on the state found. */
  livenessZh: string;
  dns: DnsCapture[];
  addresses: string[];
  tls: { host: string; address: string | null; protocol: string | null; authorized: boolean | null; authorizationError: string | null; chain: CertSummary[]; error: NetError | null } | null;
  exchanges: ExchangeSummary[];
  profiles: ProfileResult[];
  cloaking: { suspected: boolean; differences: string[] };
  browser: BrowserResult[];
  policy: { refused: boolean; message: string | null };
}

export interface CaseData {
  schema: 'govscan-case-v1';
  id: string;
  createdAt: string;
  tool: { name: string; version: string };
  reported: { url: string; host: string; unicodeHost: string; registrableHint: string };
  config: CaseConfig;
  options: { resolver: string; allowPrivateTargets: boolean; chromium: string; tsa: string | null; timeoutMs: number; maxBytes: number; maxRedirects: number };
  capture: CaseCapture;
  attribution: Attribution;
  genuine: {
    url: string;
    status: number | null;
    error: NetError | null;
    title: string | null;
    tokens: IdentityTokens | null;
    similarity: number | null;
    screenshot: string | null;
    page: string | null;
  } | null;
  /** Harm, in Chinese: forms that collect data, copied identity. */
  harmZh: string[];
  notCapturedZh: string[];
  evidence: EvidenceFile[];
  rechecks: { at: string; dir: string; liveness: Liveness; changed: boolean; summaryZh: string }[];
}
