import { describe, expect, it } from 'vitest';
import { grade, jarCookies, letterFor, MODIFIERS, scoreOf, type GradeFetch, type GradeInput, type Outcome } from './grade.js';

const NOW = new Date('2026-06-01T00:00:00Z');

function fetchOf(url: string, headers: Record<string, string | string[]>, route: string[] = [url]): GradeFetch {
  return { url, route: route.map((u, i) => ({ url: u, status: i === route.length - 1 ? 200 : 301 })), status: 200, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, verified: true };
}

/** A site answering https://a.example.cn/ with `headers`, http redirecting to it. */
function input(headers: Record<string, string | string[]>, more: Partial<GradeInput> = {}): GradeInput {
  return {
    host: 'a.example.cn',
    http: fetchOf('http://a.example.cn/', headers, ['http://a.example.cn/', 'https://a.example.cn/']),
    https: fetchOf('https://a.example.cn/', headers),
    page: { metaCsp: [], metaReferrer: null, scripts: [] },
    cors: null,
    ...more,
  };
}

const STRONG = {
  'strict-transport-security': 'max-age=31536000',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const result = (i: GradeInput, test: string): Outcome => grade(i, NOW).tests[test]!.result;

describe('letter bands', () => {
  it.each([
    [140, 'A+'], [100, 'A+'], [99, 'A'], [90, 'A'], [89, 'A-'], [85, 'A-'], [84, 'B+'], [80, 'B+'], [79, 'B'], [70, 'B'], [69, 'B-'], [65, 'B-'],
    [64, 'C+'], [60, 'C+'], [59, 'C'], [50, 'C'], [49, 'C-'], [45, 'C-'], [44, 'D+'], [40, 'D+'], [39, 'D'], [30, 'D'], [29, 'D-'], [25, 'D-'], [24, 'F'], [0, 'F'],
  ])('%i is %s', (score, letter) => expect(letterFor(score)).toBe(letter));
});

describe('score', () => {
  it('adds bonuses only when the score without them is at least 90', () => {
    expect(scoreOf(['x-content-type-options-not-implemented', 'corp-implemented-with-same-origin']).score).toBe(105);
    expect(scoreOf(['x-content-type-options-not-implemented', 'hsts-implemented-max-age-less-than-six-months', 'corp-implemented-with-same-origin'])).toEqual({ score: 85, grade: 'A-' });
    expect(scoreOf(['csp-not-implemented', 'referrer-policy-private', 'corp-implemented-with-same-site'])).toEqual({ score: 75, grade: 'B' });
  });

  it('never goes below 0', () => {
    expect(scoreOf(['sri-not-implemented-and-external-scripts-not-loaded-securely', 'cross-origin-resource-sharing-implemented-with-universal-access', 'cookies-session-without-secure-flag'])).toEqual({ score: 0, grade: 'F' });
  });

  it('has a modifier for every outcome, bonuses at most +10 and penalties at most -50', () => {
    for (const m of Object.values(MODIFIERS)) expect(m).toBeGreaterThanOrEqual(-50), expect(m).toBeLessThanOrEqual(10);
  });

  it('a strong site: A+', () => {
    const g = grade(input(STRONG), NOW);
    expect(g).toMatchObject({ score: 120, grade: 'A+', observatoryScore: 120, differences: [] });
    expect(g.tests['content-security-policy']!.result).toBe('csp-implemented-with-no-unsafe-default-src-none');
    expect(g.tests['x-frame-options']!.result).toBe('x-frame-options-implemented-via-csp');
  });
});

describe('tests, read the way the Observatory reads them', () => {
  it('CSP: a repeated directive or a policy too short makes it invalid; two report-uri only warn', () => {
    expect(result(input({ 'content-security-policy': "script-src 'self'; script-src *" }), 'content-security-policy')).toBe('csp-header-invalid');
    expect(result(input({ 'content-security-policy': 'a b' }), 'content-security-policy')).toBe('csp-header-invalid');
    expect(result(input({ 'content-security-policy': "default-src 'none'; report-uri /a; report-uri /b" }), 'content-security-policy')).toBe('csp-implemented-but-duplicate-directives');
  });

  it('CSP: unsafe-inline is forgiven with a nonce; strict-dynamic needs one', () => {
    expect(result(input({ 'content-security-policy': "default-src 'self'; script-src 'nonce-abc' 'unsafe-inline'; object-src 'none'" }), 'content-security-policy')).toBe('csp-implemented-with-no-unsafe');
    expect(result(input({ 'content-security-policy': "default-src 'self'; script-src 'strict-dynamic'" }), 'content-security-policy')).toBe('csp-header-invalid');
    expect(result(input({ 'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-eval'" }), 'content-security-policy')).toBe('csp-implemented-with-unsafe-eval');
  });

  it('CSP: only Report-Only, and a <meta> policy', () => {
    expect(result(input({ 'content-security-policy-report-only': "default-src 'none'" }), 'content-security-policy')).toBe('csp-not-implemented-but-reporting-enabled');
    const meta = input({}, { page: { metaCsp: ["default-src 'none'"], metaReferrer: null, scripts: [] } });
    expect(result(meta, 'content-security-policy')).toBe('csp-implemented-with-no-unsafe-default-src-none');
  });

  it('cookies: session cookies need HttpOnly and Secure; HSTS softens a missing Secure', () => {
    expect(result(input({ ...STRONG, 'set-cookie': 'PHPSESSID=1; Secure; SameSite=Lax' }), 'cookies')).toBe('cookies-session-without-httponly-flag');
    expect(result(input({ ...STRONG, 'set-cookie': 'lang=zh; HttpOnly; SameSite=Lax' }), 'cookies')).toBe('cookies-without-secure-flag-but-protected-by-hsts');
    expect(result(input({ 'set-cookie': 'lang=zh; HttpOnly; SameSite=Lax' }), 'cookies')).toBe('cookies-without-secure-flag');
    expect(result(input({ 'set-cookie': 'a=1; Secure; HttpOnly; SameSite=Strict' }), 'cookies')).toBe('cookies-secure-with-httponly-sessions-and-samesite');
    expect(result(input({ 'set-cookie': ['a=1; Secure; HttpOnly; SameSite=wrong'] }), 'cookies')).toBe('cookies-samesite-flag-invalid');
  });

  it('cookie jar: drops nameless pairs, deletions, other domains, and keeps the last of a name', () => {
    const jar = jarCookies(['noequals', '=v', 'gone=1; Max-Age=0', 'x=1; Domain=other.cn', 'k=1', 'k=2; Secure'], 'a.example.cn', NOW);
    expect(jar).toEqual([{ name: 'k', secure: true, httpOnly: false, sameSite: null }]);
  });

  it('redirection: missing, off-host, via http first, and no HTTP at all', () => {
    expect(result(input(STRONG, { http: fetchOf('http://a.example.cn/', {}) }), 'redirection')).toBe('redirection-missing');
    expect(result(input(STRONG, { http: fetchOf('http://a.example.cn/', {}, ['http://a.example.cn/', 'https://b.example.cn/']) }), 'redirection')).toBe('redirection-off-host-from-http');
    expect(result(input(STRONG, { http: fetchOf('http://a.example.cn/', {}, ['http://a.example.cn/', 'http://a.example.cn/x', 'https://a.example.cn/x']) }), 'redirection')).toBe('redirection-not-to-https-on-initial-redirection');
    expect(result(input(STRONG, { http: null }), 'redirection')).toBe('redirection-not-needed-no-http');
  });

  it('referrer policy: the last valid value wins, header then <meta>', () => {
    expect(result(input({ 'referrer-policy': 'no-referrer, unsafe-url' }), 'referrer-policy')).toBe('referrer-policy-unsafe');
    expect(result(input({ 'referrer-policy': 'unsafe-url, bogus' }), 'referrer-policy')).toBe('referrer-policy-unsafe');
    expect(result(input({ 'referrer-policy': 'bogus' }), 'referrer-policy')).toBe('referrer-policy-header-invalid');
    expect(result(input({}, { page: { metaCsp: [], metaReferrer: 'same-origin', scripts: [] } }), 'referrer-policy')).toBe('referrer-policy-private');
  });

  it('HSTS: repeated headers are invalid; short; no HTTPS; a certificate that does not verify', () => {
    expect(result(input({ 'strict-transport-security': ['max-age=0', 'max-age=31536000'] }), 'strict-transport-security')).toBe('hsts-header-invalid');
    expect(result(input({ 'strict-transport-security': 'max-age=86400' }), 'strict-transport-security')).toBe('hsts-implemented-max-age-less-than-six-months');
    expect(result(input({ 'strict-transport-security': 'max-age=15552000' }), 'strict-transport-security')).toBe('hsts-implemented-max-age-at-least-six-months');
    expect(result(input({}, { https: null }), 'strict-transport-security')).toBe('hsts-not-implemented-no-https');
    expect(result(input({}, { https: { ...fetchOf('https://a.example.cn/', { 'strict-transport-security': 'max-age=31536000' }), verified: false } }), 'strict-transport-security')).toBe('hsts-invalid-cert');
  });

  it('SRI: a foreign script over https without integrity, over http, and with integrity', () => {
    const scripts = (src: string, integrity: string | null = null): GradeInput['page'] => ({ metaCsp: [], metaReferrer: null, scripts: [{ src, url: src, integrity }] });
    expect(result(input({}, { page: scripts('https://cdn.other.cn/a.js') }), 'subresource-integrity')).toBe('sri-not-implemented-but-external-scripts-loaded-securely');
    expect(result(input({}, { page: scripts('http://cdn.other.cn/a.js') }), 'subresource-integrity')).toBe('sri-not-implemented-and-external-scripts-not-loaded-securely');
    expect(result(input({}, { page: scripts('https://cdn.other.cn/a.js', 'sha384-x') }), 'subresource-integrity')).toBe('sri-implemented-and-external-scripts-loaded-securely');
    expect(result(input({}, { page: scripts('https://static.example.cn/a.js') }), 'subresource-integrity')).toBe('sri-not-implemented-but-all-scripts-loaded-from-secure-origin');
    expect(result(input({ 'content-type': 'application/json' }, { page: scripts('https://cdn.other.cn/a.js') }), 'subresource-integrity')).toBe('sri-not-implemented-response-not-html');
    // A src that is not a URL does not throw.
    expect(result(input({}, { page: scripts('http://[broken') }), 'subresource-integrity')).toBe('sri-not-implemented-and-external-scripts-not-loaded-securely');
  });

  it('X-Frame-Options and CORP', () => {
    expect(result(input({ 'x-frame-options': 'DENY, SAMEORIGIN' }), 'x-frame-options')).toBe('x-frame-options-header-invalid');
    expect(result(input({ 'x-frame-options': 'ALLOW-FROM https://x.cn/' }), 'x-frame-options')).toBe('x-frame-options-allow-from-origin');
    expect(result(input({ 'cross-origin-resource-policy': 'same-site' }), 'cross-origin-resource-policy')).toBe('corp-implemented-with-same-site');
    expect(result(input({ 'cross-origin-resource-policy': 'bogus' }), 'cross-origin-resource-policy')).toBe('corp-header-invalid');
  });
});

describe('where govscan differs from the Observatory, on purpose', () => {
  it('CORS echoing a foreign Origin with credentials: -50 here, 0 in the Observatory', () => {
    const origin = 'https://probe.example';
    const g = grade(input(STRONG, { cors: { origin, headers: { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' } } }), NOW);
    expect(g.tests['cross-origin-resource-sharing']).toMatchObject({ result: 'cross-origin-resource-sharing-implemented-with-universal-access', modifier: -50, observatory: 'cross-origin-resource-sharing-implemented-with-restricted-access' });
    expect(g).toMatchObject({ score: 50, grade: 'C', observatoryScore: 120, observatoryGrade: 'A+' });
    expect(g.differences).toHaveLength(1);
    // An echo without credentials, or "*", is not that case.
    expect(grade(input(STRONG, { cors: { origin, headers: { 'access-control-allow-origin': origin } } }), NOW).differences).toEqual([]);
    expect(grade(input(STRONG, { cors: { origin, headers: { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' } } }), NOW).tests['cross-origin-resource-sharing']!.result).toBe('cross-origin-resource-sharing-implemented-with-public-access');
  });

  it('HSTS max-age that is not a number: invalid here, passed by the Observatory; a quoted number is read as the number', () => {
    const nan = grade(input({ ...STRONG, 'strict-transport-security': 'max-age=forever' }), NOW);
    expect(nan.tests['strict-transport-security']).toMatchObject({ result: 'hsts-header-invalid', observatory: 'hsts-implemented-max-age-at-least-six-months' });
    expect(nan).toMatchObject({ score: 80, observatoryScore: 120 });
    const quoted = grade(input({ ...STRONG, 'strict-transport-security': 'max-age="31536000"' }), NOW);
    expect(quoted.differences).toEqual([]);
    expect(quoted.tests['strict-transport-security']!.result).toBe('hsts-implemented-max-age-at-least-six-months');
    const quotedShort = grade(input({ ...STRONG, 'strict-transport-security': 'max-age="600"' }), NOW);
    expect(quotedShort.tests['strict-transport-security']).toMatchObject({ result: 'hsts-implemented-max-age-less-than-six-months', observatory: 'hsts-implemented-max-age-at-least-six-months' });
  });
});
