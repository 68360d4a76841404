/**
 * A score and a letter grade compatible with the MDN HTTP Observatory
 * (npm `@mdn/mdn-http-observatory` 1.4.x, scoring algorithm version 4).
 *
 * Ten tests each give one outcome (named as the Observatory names it) and
 * each outcome a score modifier. The score starts at 100; every negative
 * modifier is subtracted; the positive ones (bonuses) are added only when
 * that base score is at least 90. The letter comes from the score rounded
 * down to a multiple of five. See README.md for the tests, and for the two
 * places where govscan deliberately scores differently.
 *
 * The grader reads the responses with the Observatory's own conventions
 * (node's way of joining repeated headers, the first header value, its CSP
 * parser), not govscan's browser-faithful readings used by the rules, so
 * that its numbers can be compared with the Observatory's.
 */
import { getDomain } from 'tldts';
import { nodeView, type HeaderMap } from './headers.js';
import type { ScriptTag } from './page.js';

/** Outcome → score modifier. */
export const MODIFIERS = {
  // content-security-policy
  'csp-implemented-with-no-unsafe-default-src-none': 10,
  'csp-implemented-with-no-unsafe': 5,
  'csp-implemented-with-unsafe-inline-in-style-src-only': 0,
  'csp-implemented-with-insecure-scheme-in-passive-content-only': -10,
  'csp-implemented-with-unsafe-eval': -10,
  'csp-implemented-with-unsafe-inline': -20,
  'csp-implemented-with-insecure-scheme': -20,
  'csp-header-invalid': -25,
  'csp-not-implemented': -25,
  'csp-not-implemented-but-reporting-enabled': -25,
  'csp-implemented-but-duplicate-directives': 0,
  // cookies
  'cookies-secure-with-httponly-sessions-and-samesite': 5,
  'cookies-secure-with-httponly-sessions': 0,
  'cookies-not-found': 0,
  'cookies-without-secure-flag-but-protected-by-hsts': -5,
  'cookies-session-without-secure-flag-but-protected-by-hsts': -10,
  'cookies-without-secure-flag': -20,
  'cookies-samesite-flag-invalid': -20,
  'cookies-anticsrf-without-samesite-flag': -20,
  'cookies-session-without-httponly-flag': -30,
  'cookies-session-without-secure-flag': -40,
  // cross-origin-resource-sharing
  'cross-origin-resource-sharing-not-implemented': 0,
  'cross-origin-resource-sharing-implemented-with-public-access': 0,
  'cross-origin-resource-sharing-implemented-with-restricted-access': 0,
  'cross-origin-resource-sharing-implemented-with-universal-access': -50,
  // redirection
  'redirection-all-redirects-preloaded': 0,
  'redirection-to-https': 0,
  'redirection-not-needed-no-http': 0,
  'redirection-off-host-from-http': -5,
  'redirection-not-to-https-on-initial-redirection': -10,
  'redirection-not-to-https': -20,
  'redirection-missing': -20,
  'redirection-invalid-cert': -20,
  // referrer-policy
  'referrer-policy-private': 5,
  'referrer-policy-not-implemented': 0,
  'referrer-policy-unsafe': -5,
  'referrer-policy-header-invalid': -5,
  // strict-transport-security
  'hsts-preloaded': 5,
  'hsts-implemented-max-age-at-least-six-months': 0,
  'hsts-implemented-max-age-less-than-six-months': -10,
  'hsts-not-implemented': -20,
  'hsts-header-invalid': -20,
  'hsts-not-implemented-no-https': -20,
  'hsts-invalid-cert': -20,
  // subresource-integrity
  'sri-implemented-and-all-scripts-loaded-securely': 5,
  'sri-implemented-and-external-scripts-loaded-securely': 5,
  'sri-not-implemented-response-not-html': 0,
  'sri-not-implemented-but-no-scripts-loaded': 0,
  'sri-not-implemented-but-all-scripts-loaded-from-secure-origin': 0,
  'sri-not-implemented-but-external-scripts-loaded-securely': -5,
  'sri-implemented-but-external-scripts-not-loaded-securely': -20,
  'sri-not-implemented-and-external-scripts-not-loaded-securely': -50,
  // x-content-type-options
  'x-content-type-options-nosniff': 0,
  'x-content-type-options-not-implemented': -5,
  'x-content-type-options-header-invalid': -5,
  // x-frame-options
  'x-frame-options-implemented-via-csp': 5,
  'x-frame-options-sameorigin-or-deny': 0,
  'x-frame-options-allow-from-origin': 0,
  'x-frame-options-not-implemented': -20,
  'x-frame-options-header-invalid': -20,
  // cross-origin-resource-policy
  'corp-implemented-with-same-origin': 10,
  'corp-implemented-with-same-site': 10,
  'corp-implemented-with-cross-origin': 0,
  'corp-not-implemented': 0,
  'corp-header-invalid': -5,
  // any test
  'html-not-parseable': -20,
} as const satisfies Record<string, number>;

export type Outcome = keyof typeof MODIFIERS;

/** Lowest score of each letter; a score is rounded down to a multiple of 5 (and capped at 100) first. */
export const GRADE_BANDS: readonly (readonly [number, string])[] = [
  [100, 'A+'], [90, 'A'], [85, 'A-'], [80, 'B+'], [70, 'B'], [65, 'B-'], [60, 'C+'],
  [50, 'C'], [45, 'C-'], [40, 'D+'], [30, 'D'], [25, 'D-'], [0, 'F'],
];

/** Bonuses count only when the score without them is at least this. */
export const MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90;

/** Statuses of the homepage the Observatory grades (it refuses the others). */
export function gradableStatus(status: number): boolean {
  return (status >= 200 && status < 400) || status === 401 || status === 403;
}

export interface GradeFetch {
  /** The URL requested. */
  url: string;
  /** Every response of the redirect chain, the first request first. */
  route: { url: string; status: number }[];
  /** Status of the last response. */
  status: number;
  /** Headers of the last response. */
  headers: HeaderMap;
  /** The certificate of every HTTPS hop verified. */
  verified: boolean;
}

export interface GradeInput {
  /** The host graded. */
  host: string;
  /** GET http://host/: null when no response was had. */
  http: GradeFetch | null;
  /** GET https://host/: null when no response was had. */
  https: GradeFetch | null;
  /** The homepage (https when it answered, else http) read as HTML: meta policies and scripts. */
  page: { metaCsp: string[]; metaReferrer: string | null; scripts: ScriptTag[] } | null;
  /** A request to the homepage with a foreign Origin. */
  cors: { headers: HeaderMap; origin: string } | null;
}

export interface TestResult {
  /** govscan's outcome. */
  result: Outcome;
  modifier: number;
  /** The outcome the Observatory's scan gives, when it differs from govscan's. */
  observatory?: Outcome;
  /** Why they differ. */
  difference?: string;
}

export interface Grade {
  score: number;
  grade: string;
  /** The score and grade the MDN HTTP Observatory gives the same responses. */
  observatoryScore: number;
  observatoryGrade: string;
  tests: Record<string, TestResult>;
  differences: string[];
}

export const TEST_NAMES = [
  'content-security-policy', 'cookies', 'cross-origin-resource-sharing', 'redirection', 'referrer-policy',
  'strict-transport-security', 'subresource-integrity', 'x-content-type-options', 'x-frame-options', 'cross-origin-resource-policy',
] as const;

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/** The homepage the Observatory grades: the HTTPS one when HTTPS answered, else the HTTP one. */
function auto(input: GradeInput): GradeFetch | null {
  return input.https ?? input.http;
}

/** The Observatory's HTML check: the media type before `;`, untrimmed, case-sensitive. */
function isHtml(f: GradeFetch): boolean {
  return HTML_TYPES.has((nodeView(f.headers, 'content-type')[0] ?? '').split(';')[0]!);
}

function first(f: GradeFetch | null, name: string): string | null {
  return f ? (nodeView(f.headers, name)[0] ?? null) : null;
}

/** Of two outcomes, the one later in `order` (worse), or the new one when there is none yet. */
function worse(next: Outcome, current: Outcome | null, order: readonly Outcome[]): Outcome {
  if (current === null) return next;
  return order.indexOf(next) > order.indexOf(current) ? next : current;
}

// ---------------------------------------------------------------------------
// Content Security Policy, read the Observatory's way.

const DUPLICATES_ALLOWED = new Set(['report-uri', 'report-to']);
const NOT_IN_META = ['frame-ancestors', 'report-uri', 'sandbox'];
const BROAD = new Set(['ftp:', 'http:', 'https:', '*', 'http://*', 'http://*.*', 'https://*', 'https://*.*']);
const INLINE = new Set(["'unsafe-inline'", 'data:']);
const BROAD_OR_INLINE = new Set([...BROAD, ...INLINE]);
const PASSIVE = ['img-src', 'media-src'];
const NONCE_OR_HASH = ["'sha256-", "'sha384-", "'sha512-", "'nonce-"];
const collator = new Intl.Collator('en');

interface CspMap {
  directives: Map<string, Set<string>>;
  duplicateReports: boolean;
}

class CspInvalid extends Error {}

/** Path-prefix comparison of two sources from different policies (a source survives when both policies allow it). */
function pathPartMatch(a: string, b: string): boolean {
  if (a.length === 0) return true;
  if (a === '/' && b.length === 0) return true;
  const exact = !a.endsWith('/');
  const pa = a.split('/');
  const pb = b.split('/');
  if (pa.length > pb.length) return false;
  if (exact && pa.length !== pb.length) return false;
  if (!exact) pa.pop();
  const dec = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return pa.every((p, i) => dec(p) === dec(pb[i]!));
}

/**
 * Several policies merge into one map: directive → sources. A policy shorter
 * than 6 characters, or a directive repeated within one policy (except
 * report-uri/report-to), makes the whole set invalid.
 */
function parseCspObservatory(list: string[]): CspMap {
  const clean = list.map((s) => s.replace(/[\r\n]/g, '').trim());
  const out: CspMap = { directives: new Map(), duplicateReports: false };
  if (clean.length === 0) return out;
  for (const p of clean) if (p.length < 6) throw new CspInvalid(`policy too short: ${p}`);
  type Src = { source: string; index: number; keep: boolean };
  const csp = new Map<string, Src[]>();
  clean.forEach((policy, index) => {
    const seen = new Set<string>();
    for (const entry of policy.split(';')) {
      const [head, ...rest] = entry.trim().split(/\s+/);
      if (!head) continue;
      const directive = head.toLowerCase();
      if (seen.has(directive)) {
        if (DUPLICATES_ALLOWED.has(directive)) out.duplicateReports = true;
        else throw new CspInvalid(`directive ${directive} repeated`);
      } else seen.add(directive);
      const keep = index === 0;
      const vals: Src[] = rest.length ? rest.map((r) => ({ source: r.trim().toLocaleLowerCase(), index, keep })) : directive.endsWith('-src') ? [{ source: "'none'", index, keep }] : [];
      const combined = index === 0 ? [...vals] : [...(csp.get(directive) ?? []), ...vals];
      combined.sort((x, y) => collator.compare(x.source, y.source));
      for (let i = 1; i < combined.length; i++) {
        const s = combined[i]!;
        const prev = combined[i - 1]!;
        if (s.index === prev.index && s.source.startsWith(prev.source)) s.keep = false;
        if (s.index !== prev.index && pathPartMatch(prev.source, s.source)) s.keep = true;
      }
      csp.set(directive, combined.filter((s) => s.keep));
      if (index === 0 && list.length > 1) for (const s of csp.get(directive) ?? []) s.keep = false;
    }
  });
  for (const [d, srcs] of csp) out.directives.set(d, srcs.length ? new Set(srcs.map((s) => s.source)) : new Set(["'none'"]));
  return out;
}

function parseOrEmpty(list: string[], meta = false): CspMap {
  try {
    const m = parseCspObservatory(list);
    if (meta) for (const d of NOT_IN_META) m.directives.delete(d);
    return m;
  } catch {
    return { directives: new Map(), duplicateReports: false };
  }
}

interface CspOutcome {
  result: Outcome;
  /** The merged policy, when one was read (frame-ancestors is looked up in it). */
  directives: Map<string, Set<string>> | null;
}

function cspTest(input: GradeInput): CspOutcome {
  const page = auto(input);
  if (!page) return { result: 'csp-not-implemented', directives: null };
  const header = nodeView(page.headers, 'content-security-policy');
  const meta = input.page && isHtml(page) ? input.page.metaCsp : [];
  let csp: CspMap;
  try {
    csp = parseCspObservatory([...header, ...meta]);
  } catch {
    return { result: 'csp-header-invalid', directives: null };
  }
  const headerOnly = parseOrEmpty(header);
  const metaOnly = parseOrEmpty(meta, true);
  if (headerOnly.directives.size + metaOnly.directives.size === 0) {
    return { result: nodeView(page.headers, 'content-security-policy-report-only').length ? 'csp-not-implemented-but-reporting-enabled' : 'csp-not-implemented', directives: null };
  }
  const d = csp.directives;
  const get = (name: string): Set<string> | undefined => d.get(name);
  const objectSrc = new Set(get('object-src') ?? get('default-src') ?? ['*']);
  const scriptSrc = new Set(get('script-src') ?? get('default-src') ?? ['*']);
  const styleSrc = new Set(get('style-src') ?? get('default-src') ?? ['*']);
  const hasNonceOrHash = (s: Set<string>): boolean => [...s].some((x) => NONCE_OR_HASH.some((n) => x.startsWith(n)));
  for (const list of [scriptSrc, styleSrc]) if (hasNonceOrHash(list) && list.has("'unsafe-inline'")) list.delete("'unsafe-inline'");

  let result: Outcome | null = null;
  if (hasNonceOrHash(scriptSrc) && scriptSrc.has("'strict-dynamic'")) {
    for (const s of [...scriptSrc]) if ([...BROAD].some((b) => s.startsWith(b)) || s === "'self'" || s === "'unsafe-inline'") scriptSrc.delete(s);
  } else if (scriptSrc.has("'strict-dynamic'")) result = 'csp-header-invalid';

  const active = [...d.entries()].filter(([k]) => !PASSIVE.includes(k) && k !== 'script-src').flatMap(([, v]) => [...v]);
  active.push(...scriptSrc);
  const passive = PASSIVE.flatMap((k) => [...(get(k) ?? get('default-src') ?? [])]);
  const httpsPage = new URL(page.url).protocol === 'https:';
  const insecure = (s: string): boolean => s.startsWith('http:') || s.startsWith('ftp:');

  if ([...scriptSrc].some((s) => BROAD_OR_INLINE.has(s)) || [...objectSrc].some((s) => BROAD.has(s))) result ??= 'csp-implemented-with-unsafe-inline';
  if (httpsPage && active.some(insecure)) result ??= 'csp-implemented-with-insecure-scheme';
  if (scriptSrc.has("'unsafe-eval'") || styleSrc.has("'unsafe-eval'")) result ??= 'csp-implemented-with-unsafe-eval';
  if (httpsPage && passive.some(insecure)) result ??= 'csp-implemented-with-insecure-scheme-in-passive-content-only';
  if ([...styleSrc].some((s) => BROAD_OR_INLINE.has(s))) result ??= 'csp-implemented-with-unsafe-inline-in-style-src-only';
  const def = get('default-src');
  if (def?.has("'none'") && def.size === 1) result ??= 'csp-implemented-with-no-unsafe-default-src-none';
  else result ??= 'csp-implemented-with-no-unsafe';

  const passing: Outcome[] = ['csp-implemented-with-no-unsafe', 'csp-implemented-with-no-unsafe-default-src-none', 'csp-implemented-with-unsafe-inline-in-style-src-only', 'csp-implemented-with-insecure-scheme-in-passive-content-only'];
  if (passing.includes(result) && csp.duplicateReports) result = 'csp-implemented-but-duplicate-directives';
  return { result, directives: d };
}

// ---------------------------------------------------------------------------
// Cookies, as a cookie jar keeps them.

interface JarCookie {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: 'strict' | 'lax' | 'none' | null;
}

function domainMatches(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/**
 * The cookies a cookie jar (RFC 6265, strict parsing) keeps from Set-Cookie
 * lines: a pair without `=` or without a name is dropped, so are deletions,
 * cookies for another domain, and earlier ones of the same name, domain and path.
 */
export function jarCookies(lines: string[], host: string, now: Date): JarCookie[] {
  const kept = new Map<string, JarCookie>();
  for (const raw of lines) {
    const line = raw.trim();
    const semi = line.indexOf(';');
    const pair = semi === -1 ? line : line.slice(0, semi);
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (name === '' || /[\x00-\x08\x0a-\x1f\x7f]/.test(pair)) continue;
    let secure = false;
    let httpOnly = false;
    let sameSite: JarCookie['sameSite'] = null;
    let domain = host;
    let path = '/';
    let expired = false;
    for (const av of semi === -1 ? [] : line.slice(semi + 1).split(';')) {
      const a = av.trim();
      if (!a) continue;
      const i = a.indexOf('=');
      const key = (i === -1 ? a : a.slice(0, i)).trim().toLowerCase();
      const value = i === -1 ? null : a.slice(i + 1).trim();
      if (key === 'secure') secure = true;
      else if (key === 'httponly') httpOnly = true;
      else if (key === 'samesite') {
        const v = (value ?? '').toLowerCase();
        sameSite = v === 'strict' || v === 'lax' || v === 'none' ? v : null;
      } else if (key === 'domain' && value) domain = value.replace(/^\./, '').toLowerCase() || domain;
      else if (key === 'path') path = value && value.startsWith('/') ? value : '/';
      else if (key === 'max-age' && value && /^-?[0-9]+$/.test(value)) expired = Number(value) <= 0;
      else if (key === 'expires' && value) {
        const t = Date.parse(value);
        if (!Number.isNaN(t)) expired = t < now.getTime();
      }
    }
    if (!domainMatches(host.toLowerCase(), domain)) continue;
    const key = `${name}\x1f${domain}\x1f${path}`;
    kept.delete(key);
    if (!expired) kept.set(key, { name, secure, httpOnly, sameSite });
  }
  return [...kept.values()];
}

/** A raw Set-Cookie line with a SameSite attribute that is empty or not Strict, Lax or None. */
function invalidSameSite(line: string): boolean {
  for (const p of line.trim().split(';')) {
    const [k, v] = p.trim().split('=');
    if (k!.trim().toLowerCase() === 'samesite' && (!v || !['lax', 'strict', 'none'].includes(v.trim().toLowerCase()))) return true;
  }
  return false;
}

const COOKIE_ORDER: Outcome[] = [
  'cookies-without-secure-flag-but-protected-by-hsts', 'cookies-without-secure-flag', 'cookies-session-without-secure-flag-but-protected-by-hsts',
  'cookies-samesite-flag-invalid', 'cookies-anticsrf-without-samesite-flag', 'cookies-session-without-httponly-flag', 'cookies-session-without-secure-flag',
];

function cookiesTest(input: GradeInput, hstsPasses: boolean, now: Date): Outcome {
  const page = auto(input);
  const lines = page ? nodeView(page.headers, 'set-cookie') : [];
  let result: Outcome | null = null;
  for (const l of lines) if (invalidSameSite(l)) result = worse('cookies-samesite-flag-invalid', result, COOKIE_ORDER);
  const jar = page ? jarCookies(lines, new URL(page.route.at(-1)?.url ?? page.url).hostname, now) : [];
  if (jar.length === 0) return 'cookies-not-found';
  let missingSameSite = false;
  for (const c of jar) {
    const n = c.name.toLowerCase();
    const session = n.includes('login') || n.includes('sess');
    const csrf = n.includes('csrf');
    if (!c.secure && c.sameSite === 'none') result = worse('cookies-samesite-flag-invalid', result, COOKIE_ORDER);
    if (!c.secure) result = worse(hstsPasses ? 'cookies-without-secure-flag-but-protected-by-hsts' : 'cookies-without-secure-flag', result, COOKIE_ORDER);
    if (csrf && !c.sameSite) result = worse('cookies-anticsrf-without-samesite-flag', result, COOKIE_ORDER);
    if (session && !c.secure) result = worse(hstsPasses ? 'cookies-session-without-secure-flag-but-protected-by-hsts' : 'cookies-session-without-secure-flag', result, COOKIE_ORDER);
    if (session && !c.httpOnly) result = worse('cookies-session-without-httponly-flag', result, COOKIE_ORDER);
    if (!c.sameSite) missingSameSite = true;
  }
  return result ?? (missingSameSite ? 'cookies-secure-with-httponly-sessions' : 'cookies-secure-with-httponly-sessions-and-samesite');
}

// ---------------------------------------------------------------------------
// The other tests.

function corsTest(input: GradeInput): { result: Outcome; observatory?: Outcome } {
  if (!input.cors) return { result: 'cross-origin-resource-sharing-not-implemented' };
  const acao = nodeView(input.cors.headers, 'access-control-allow-origin')[0];
  if (!acao) return { result: 'cross-origin-resource-sharing-not-implemented' };
  const value = acao.slice(0, 256).trim().toLowerCase();
  if (value === '*') return { result: 'cross-origin-resource-sharing-implemented-with-public-access' };
  const credentials = (nodeView(input.cors.headers, 'access-control-allow-credentials')[0] ?? '').trim().toLowerCase() === 'true';
  if (credentials && acao.trim() === input.cors.origin) {
    // The Observatory means to catch this, but its scan never finds the Origin it sent (see README).
    return { result: 'cross-origin-resource-sharing-implemented-with-universal-access', observatory: 'cross-origin-resource-sharing-implemented-with-restricted-access' };
  }
  return { result: 'cross-origin-resource-sharing-implemented-with-restricted-access' };
}

function redirectionTest(input: GradeInput): Outcome {
  const r = input.http;
  if (!r) return 'redirection-not-needed-no-http';
  if (!r.verified) return 'redirection-invalid-cert';
  const route = r.route.map((h) => new URL(h.url));
  // No host is taken to be on the HSTS preload list (govscan ships none).
  if (route.length === 0) return 'redirection-all-redirects-preloaded';
  if (route.length === 1) return 'redirection-missing';
  if (route.at(-1)!.protocol !== 'https:') return 'redirection-not-to-https';
  if (route[1]!.protocol === 'http:') return 'redirection-not-to-https-on-initial-redirection';
  if (route[0]!.protocol === 'http:' && route[1]!.protocol === 'https:' && route[0]!.hostname !== route[1]!.hostname) return 'redirection-off-host-from-http';
  return 'redirection-to-https';
}

const REFERRER_GOOD = ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'];
const REFERRER_BAD = ['origin', 'origin-when-cross-origin', 'unsafe-url', 'no-referrer-when-downgrade'];

function referrerTest(input: GradeInput): Outcome {
  const page = auto(input);
  if (!page) return 'referrer-policy-not-implemented';
  const header = nodeView(page.headers, 'referrer-policy');
  const meta = input.page && isHtml(page) && input.page.metaReferrer !== null ? [input.page.metaReferrer] : [];
  if (header.length === 0 && meta.length === 0) return 'referrer-policy-not-implemented';
  const valid = [...REFERRER_GOOD, ...REFERRER_BAD];
  const policy = [...header, ...meta].join(', ').split(',').filter((e) => valid.includes(e.toLowerCase().trim())).reverse()[0]?.toLowerCase().trim() ?? '';
  if (REFERRER_GOOD.includes(policy)) return 'referrer-policy-private';
  if (REFERRER_BAD.includes(policy)) return 'referrer-policy-unsafe';
  return 'referrer-policy-header-invalid';
}

/** 15768000 s is six months; the Observatory accepts 15552000 (180 days). */
const SIX_MONTHS = 15552000;

function hstsTest(input: GradeInput): { result: Outcome; observatory?: Outcome } {
  const r = input.https;
  if (!r) return { result: 'hsts-not-implemented-no-https' };
  if (!r.verified) return { result: 'hsts-invalid-cert' };
  const header = nodeView(r.headers, 'strict-transport-security')[0];
  if (header === undefined) return { result: 'hsts-not-implemented' };
  const data = header.slice(0, 1024);
  if (data.includes(',')) return { result: 'hsts-header-invalid' };
  let maxAge: number | null = null;
  let raw = '';
  for (const p of data.split(';').map((x) => x.trim().toLowerCase())) {
    if (p.startsWith('max-age=')) {
      raw = p.slice(8, 128);
      maxAge = parseInt(raw, 10);
    }
  }
  if (maxAge === null) return { result: 'hsts-header-invalid' };
  if (Number.isNaN(maxAge)) {
    // The Observatory compares NaN with six months, which is false, and passes the header
    // (see README). A quoted number is valid (RFC 6797) and is read as that number.
    const quoted = /^"([0-9]+)"$/.exec(raw);
    const result: Outcome = quoted ? (Number(quoted[1]) < SIX_MONTHS ? 'hsts-implemented-max-age-less-than-six-months' : 'hsts-implemented-max-age-at-least-six-months') : 'hsts-header-invalid';
    return { result, observatory: 'hsts-implemented-max-age-at-least-six-months' };
  }
  return { result: maxAge < SIX_MONTHS ? 'hsts-implemented-max-age-less-than-six-months' : 'hsts-implemented-max-age-at-least-six-months' };
}

const SRI_ORDER: Outcome[] = [
  'sri-implemented-and-all-scripts-loaded-securely', 'sri-implemented-and-external-scripts-loaded-securely', 'sri-implemented-but-external-scripts-not-loaded-securely',
  'sri-not-implemented-but-external-scripts-loaded-securely', 'sri-not-implemented-and-external-scripts-not-loaded-securely', 'sri-not-implemented-response-not-html',
];

/** A script's src as a DOM without a base URL reflects it: absolute URLs normalised, anything else as written. */
function reflectedSrc(src: string): string {
  try {
    return new URL(src).href;
  } catch {
    return src;
  }
}

function protocolOf(url: string): string | null {
  try {
    return new URL(url).protocol;
  } catch {
    return null; // "http://[" and the like: not a secure scheme (the Observatory's scan throws here)
  }
}

function sriTest(input: GradeInput): Outcome {
  const page = auto(input);
  if (!page) return 'sri-not-implemented-but-no-scripts-loaded';
  if (!isHtml(page)) return 'sri-not-implemented-response-not-html';
  const scripts = input.page?.scripts ?? [];
  if (scripts.length === 0) return 'sri-not-implemented-but-no-scripts-loaded';
  const ownSite = getDomain(input.host);
  const pageHttps = new URL(page.url).protocol === 'https:';
  let result: Outcome | null = null;
  let foreign = false;
  for (const s of scripts) {
    if (!s.src) continue;
    const src = reflectedSrc(s.src);
    const integrity = s.integrity !== null && s.integrity !== '';
    const protocolRelative = /^\/\/[^/]/.test(src);
    const full = /^https?:\/\//.test(src);
    const relative = !protocolRelative && !full;
    const sameSite = protocolRelative || relative || getDomain(src) === ownSite;
    const secureOrigin = relative || (sameSite && !protocolRelative);
    const scheme = !protocolRelative && !relative ? protocolOf(src) : null;
    const secureScheme = scheme === 'https:' || (relative && pageHttps);
    if (!secureOrigin) {
      foreign = true;
      if (integrity && !secureScheme) result = worse('sri-implemented-but-external-scripts-not-loaded-securely', result, SRI_ORDER);
      else if (!integrity && secureScheme) result = worse('sri-not-implemented-but-external-scripts-loaded-securely', result, SRI_ORDER);
      else if (!integrity) result = worse('sri-not-implemented-and-external-scripts-not-loaded-securely', result, SRI_ORDER);
    } else if (integrity && secureScheme && result === null) result = 'sri-implemented-and-all-scripts-loaded-securely';
  }
  return result ?? (foreign ? 'sri-implemented-and-external-scripts-loaded-securely' : 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin');
}

function nosniffTest(input: GradeInput): Outcome {
  const v = first(auto(input), 'x-content-type-options');
  if (!v) return 'x-content-type-options-not-implemented';
  return v.slice(0, 256).trim().toLowerCase() === 'nosniff' ? 'x-content-type-options-nosniff' : 'x-content-type-options-header-invalid';
}

function frameOptionsTest(input: GradeInput, csp: CspOutcome): Outcome {
  const page = auto(input);
  if (!page) return 'x-frame-options-not-implemented';
  const v = first(page, 'x-frame-options');
  let result: Outcome = 'x-frame-options-not-implemented';
  if (v) {
    const x = v.slice(0, 1024).trim().toLowerCase();
    result = x === 'deny' || x === 'sameorigin' ? 'x-frame-options-sameorigin-or-deny' : x.startsWith('allow-from') ? 'x-frame-options-allow-from-origin' : 'x-frame-options-header-invalid';
  }
  if (csp.directives?.has('frame-ancestors')) result = 'x-frame-options-implemented-via-csp';
  return result;
}

function corpTest(input: GradeInput): Outcome {
  const v = first(auto(input), 'cross-origin-resource-policy');
  if (!v) return 'corp-not-implemented';
  const x = v.slice(0, 256).trim().toLowerCase();
  if (x === 'same-site') return 'corp-implemented-with-same-site';
  if (x === 'same-origin') return 'corp-implemented-with-same-origin';
  if (x === 'cross-origin') return 'corp-implemented-with-cross-origin';
  return 'corp-header-invalid';
}

// ---------------------------------------------------------------------------

/** Sum the modifiers the Observatory's way and map the score to a letter. */
export function scoreOf(outcomes: Outcome[]): { score: number; grade: string } {
  let withBonus = 100;
  let base = 100;
  for (const o of outcomes) {
    const m = MODIFIERS[o];
    withBonus += m;
    if (m < 0) base += m;
  }
  const score = Math.max(0, base >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withBonus : base);
  return { score, grade: letterFor(score) };
}

export function letterFor(score: number): string {
  const key = Math.min(score - (score % 5), 100);
  return GRADE_BANDS.find(([min]) => key >= min)![1];
}

/** Grade a site. Call only when the homepage answered with a status the Observatory grades. */
export function grade(input: GradeInput, now: Date = new Date()): Grade {
  const csp = cspTest(input);
  const hsts = hstsTest(input);
  const hstsPasses = hsts.result === 'hsts-implemented-max-age-at-least-six-months' || hsts.result === 'hsts-preloaded';
  const hstsPassesObservatory = (hsts.observatory ?? hsts.result) === 'hsts-implemented-max-age-at-least-six-months';
  const cors = corsTest(input);
  const cookies = cookiesTest(input, hstsPasses, now);
  const cookiesObservatory = hstsPasses === hstsPassesObservatory ? undefined : cookiesTest(input, hstsPassesObservatory, now);
  const raw: Record<string, { result: Outcome; observatory?: Outcome | undefined }> = {
    'content-security-policy': { result: csp.result },
    cookies: { result: cookies, observatory: cookiesObservatory },
    'cross-origin-resource-sharing': cors,
    redirection: { result: redirectionTest(input) },
    'referrer-policy': { result: referrerTest(input) },
    'strict-transport-security': hsts,
    'subresource-integrity': { result: sriTest(input) },
    'x-content-type-options': { result: nosniffTest(input) },
    'x-frame-options': { result: frameOptionsTest(input, csp) },
    'cross-origin-resource-policy': { result: corpTest(input) },
  };
  const tests: Record<string, TestResult> = {};
  const differences: string[] = [];
  for (const name of TEST_NAMES) {
    const t = raw[name]!;
    const entry: TestResult = { result: t.result, modifier: MODIFIERS[t.result] };
    if (t.observatory !== undefined && t.observatory !== t.result) {
      entry.observatory = t.observatory;
      entry.difference = DIFFERENCES[name] ?? 'follows from another test';
      differences.push(`${name}: govscan ${t.result} (${signed(MODIFIERS[t.result])}), the MDN HTTP Observatory ${t.observatory} (${signed(MODIFIERS[t.observatory])}): ${entry.difference}`);
    }
    tests[name] = entry;
  }
  const ours = scoreOf(TEST_NAMES.map((n) => tests[n]!.result));
  const theirs = scoreOf(TEST_NAMES.map((n) => tests[n]!.observatory ?? tests[n]!.result));
  return { score: ours.score, grade: ours.grade, observatoryScore: theirs.score, observatoryGrade: theirs.grade, tests, differences };
}

/** Where govscan deliberately scores differently, and why. */
export const DIFFERENCES: Record<string, string> = {
  'cross-origin-resource-sharing':
    'the site echoes a foreign Origin in Access-Control-Allow-Origin and allows credentials; the Observatory has this outcome but its scan reads the Origin it sent from a place where it is never found, so it never gives it',
  'strict-transport-security':
    'max-age is not a plain number: the Observatory reads it as NaN, compares NaN with six months, which is false, and passes the header; govscan reads a quoted number as that number (RFC 6797) and anything else as a header browsers ignore',
  cookies: 'whether HSTS passes decides how missing Secure flags are scored, and the two readings of HSTS differ',
};

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
