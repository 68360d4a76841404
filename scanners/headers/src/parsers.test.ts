import { describe, expect, it } from 'vitest';
import { cookieFlags, lacks } from './cookies.js';
import { combinedWeaknesses, parsePolicies, parsePolicy, weaknesses } from './csp.js';
import { readHsts } from './hsts.js';
import { readPage, thirdPartyScripts } from './page.js';

describe('CSP as browsers read it', () => {
  it('keeps the first of a repeated directive and lists what it ignored', () => {
    const p = parsePolicy("script-src 'self'; script-src *; garbage x; obj@ct-src y; frame-ancestors 'none'");
    expect(p.directives.get('script-src')).toEqual(["'self'"]);
    expect(p.problems).toEqual(['directive script-src repeated (only the first counts)', 'unknown directive "garbage" (ignored)', 'not a directive: "obj@ct-src"']);
  });

  it('flags keywords written without quotes', () => {
    expect(parsePolicy('script-src self unsafe-inline').problems).toEqual(['script-src: keyword self without quotes (read as a host name)', 'script-src: keyword unsafe-inline without quotes (read as a host name)']);
  });

  it('ignores header-only directives in <meta>', () => {
    const [p] = parsePolicies(["default-src 'self'; frame-ancestors 'none'"], 'meta');
    expect([...p!.directives.keys()]).toEqual(['default-src']);
  });

  it('finds unsafe-inline, unsafe-eval, wildcards and a missing object-src', () => {
    expect(weaknesses(parsePolicy("script-src 'self' 'unsafe-inline' https:; object-src 'none'"))).toMatchObject({ unsafeInline: true, unsafeEval: false, wildcardSources: ['https:'], objectSrcMissing: false, scriptSrcMissing: false });
    expect(weaknesses(parsePolicy("default-src *; script-src 'self'"))).toMatchObject({ unsafeInline: false, wildcardSources: ['*'], objectSrcMissing: false });
    expect(weaknesses(parsePolicy("img-src 'self'"))).toMatchObject({ scriptSrcMissing: true, unsafeInline: true, unsafeEval: true, objectSrcMissing: true });
    // A nonce disables 'unsafe-inline'; 'strict-dynamic' with a nonce disables host sources.
    expect(weaknesses(parsePolicy("script-src 'nonce-abc' 'unsafe-inline' 'strict-dynamic' https:; object-src 'none'"))).toMatchObject({ unsafeInline: false, wildcardSources: [] });
  });

  it('with several policies a weakness counts only when every policy has it', () => {
    const w = combinedWeaknesses(parsePolicies(["script-src 'self' 'unsafe-inline'", "script-src 'self'; object-src 'none'"], 'header'));
    expect(w).toMatchObject({ unsafeInline: false, objectSrcMissing: false });
    expect(parsePolicies(["default-src 'self', script-src *"], 'header')).toHaveLength(2);
    expect(combinedWeaknesses([])).toBeNull();
  });

  it('never throws on garbage', () => {
    for (const g of ['', ';;;', '\u0000\u0001', '这不是策略', 'a'.repeat(100_000), "'self'"]) expect(() => combinedWeaknesses(parsePolicies([g], 'header'))).not.toThrow();
    expect(parsePolicy('a'.repeat(100_000)).problems[0]).toMatch(/only the start was read/);
  });
});

describe('HSTS (RFC 6797)', () => {
  it.each([
    ['max-age=31536000; includeSubDomains; preload', { valid: true, maxAge: 31536000, includeSubDomains: true, preload: true }],
    ['MAX-AGE="600"', { valid: true, maxAge: 600 }],
    ['max-age = 600', { valid: true, maxAge: 600 }],
    ['max-age=0', { valid: true, maxAge: 0 }],
    ['max-age=forever', { valid: false, problem: 'max-age is not a number of seconds: "forever"' }],
    ['max-age=-1', { valid: false }],
    ['max-age=1; max-age=2', { valid: false, problem: 'directive max-age appears twice' }],
    ['includeSubDomains', { valid: false, problem: 'no max-age directive' }],
    ['max-age="600', { valid: false }],
    ['', { valid: false }],
  ])('%s', (value, expected) => expect(readHsts(value)).toMatchObject(expected));
});

describe('cookies', () => {
  it('reads flags, never keeps values', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const c = cookieFlags(['SID=secret; Secure; HttpOnly; SameSite=Strict', 'lang=zh', 'x=1; SameSite=Nope', 'old=1; Expires=Thu, 01 Jan 2015 00:00:00 GMT', 'noequals'], now);
    expect(c.map((x) => [x.name, lacks(x).join(', '), x.expired])).toEqual([
      ['SID', '', false],
      ['lang', 'no Secure, no HttpOnly, no SameSite', false],
      ['x', 'no Secure, no HttpOnly, SameSite="nope" not valid', false],
      ['old', 'no Secure, no HttpOnly, no SameSite', true],
      ['', 'no Secure, no HttpOnly, no SameSite', false],
    ]);
    expect(JSON.stringify(c)).not.toContain('secret');
  });
});

describe('the page', () => {
  it('resolves against <base> (an http: base makes a protocol-relative frame insecure), lists insecure loads and third-party scripts', () => {
    const html = `<html><head><base href="http://static.example.cn/"><meta http-equiv="content-security-policy" content="img-src 'self'"><meta name="referrer" content="no-referrer">
      <script src="js/a.js"></script><script src="https://cdn.other.cn/b.js" integrity="sha384-x"></script><script>inline()</script>
      <link rel="icon" href="http://x.cn/favicon.ico"><link rel="stylesheet" href="https://a.example.cn/s.css">
      </head><body><img srcset="http://img.example.cn/1.png 1x, https://img.example.cn/2.png 2x"><iframe src="//frames.example.cn/"></iframe></body></html>`;
    const p = readPage(Buffer.from(html), 'text/html', 'https://a.example.cn/');
    expect(p).toMatchObject({ metaCsp: ["img-src 'self'"], metaReferrer: 'no-referrer', mixedActive: ['http://static.example.cn/js/a.js', 'http://frames.example.cn/'], mixedPassive: ['http://img.example.cn/1.png'] });
    expect(p.scripts).toHaveLength(3);
    expect(thirdPartyScripts(p.scripts, 'https://a.example.cn/').map((s) => s.url)).toEqual(['https://cdn.other.cn/b.js']);
  });

  it('counts a sibling under gov.cn as another site (gov.cn is a public suffix)', () => {
    const p = readPage(Buffer.from('<script src="https://zfwzgl.www.gov.cn/j.js"></script><script src="https://static.yaan.gov.cn/j.js"></script>'), 'text/html', 'https://www.yaan.gov.cn/');
    expect(thirdPartyScripts(p.scripts, 'https://www.yaan.gov.cn/').map((s) => s.url)).toEqual(['https://zfwzgl.www.gov.cn/j.js']);
  });

  it('reads an HTTP page as having no mixed content, and broken markup without throwing', () => {
    const p = readPage(Buffer.from('<img src="http://x.cn/a.png"><script src=http://x.cn/a.js'), null, 'http://a.example.cn/');
    expect(p).toMatchObject({ mixedActive: [], mixedPassive: [] });
  });
});
