import { isIP } from 'node:net';
import type { Attempt, Fact, FetchOptions, FetchResult, Observation, Scanner, ScanContext, Site } from '@govscan/core';
import { cookieFlags, displayName, lacks } from './cookies.js';
import { BROAD_SOURCES, combinedWeaknesses, parsePolicies, type Policy } from './csp.js';
import { grade, gradableStatus, type GradeFetch, type GradeInput } from './grade.js';
import { cut, joined, mediaType, values, type HeaderMap } from './headers.js';
import { readHsts } from './hsts.js';
import { readPage, thirdPartyScripts, type PageFacts } from './page.js';

export { grade, letterFor, scoreOf, MODIFIERS, GRADE_BANDS, MINIMUM_SCORE_FOR_EXTRA_CREDIT, DIFFERENCES, TEST_NAMES, type Grade, type GradeInput, type GradeFetch, type Outcome } from './grade.js';
export { parsePolicy, parsePolicies, combinedWeaknesses } from './csp.js';
export { readHsts } from './hsts.js';
export { cookieFlags } from './cookies.js';
export { readPage } from './page.js';

/** The foreign origin sent to probe CORS: a reserved name (RFC 2606) that no site can own. */
export const CORS_PROBE_ORIGIN = 'https://govscan-cors-probe.example';
/** Bytes of a homepage read (a longer body is cut there, and the cut is recorded). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Redirects followed before a chain is given up (loops end earlier, when a URL comes back). */
export const MAX_REDIRECTS = 10;
/** Bytes read of the CORS probe's answer: only its headers matter. */
const CORS_PROBE_BYTES = 16 * 1024;

const SCANNER = 'headers';
const REDIRECT_GAVE_UP = new Set(['EREDIRECTLOOP', 'ETOOMANYREDIRECTS']);
const UNSAFE_REFERRER = new Set(['unsafe-url', 'origin', 'origin-when-cross-origin', 'no-referrer-when-downgrade']);
const REFERRER_POLICIES = new Set(['no-referrer', 'no-referrer-when-downgrade', 'same-origin', 'origin', 'strict-origin', 'origin-when-cross-origin', 'strict-origin-when-cross-origin', 'unsafe-url']);
/** Legacy keywords of <meta name="referrer"> (HTML standard). */
const LEGACY_META_REFERRER: Record<string, string> = { never: 'no-referrer', default: 'strict-origin-when-cross-origin', always: 'unsafe-url', 'origin-when-crossorigin': 'origin-when-cross-origin' };
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const LIST_MAX = 20;

/** A response was had: the chain completed, or it was given up at the redirect limit (the last redirect is the answer). */
function answered(r: FetchResult | null): r is FetchResult {
  return r !== null && r.status !== null && (r.error === null || REDIRECT_GAVE_UP.has(r.error.code));
}

function verified(r: FetchResult): boolean {
  return r.tls ? r.tls.authorized : true;
}

function chain(r: FetchResult): string {
  const hops = r.hops.map((h) => `${h.status}${h.location ? ` → ${cut(h.location, 120)}` : ''}`).join(', ');
  if (r.error) return `GET ${r.url}: ${r.error.code} ${r.error.message}${hops ? ` (after ${hops})` : ''}`;
  return `GET ${r.url}: ${hops}${r.truncated ? ` (body cut at ${r.body.length} bytes, the byte limit)` : ''}`;
}

/** The observation kinds of the headers scanner. */
const KINDS = [
  'headers.redirect', 'headers.hsts', 'headers.csp', 'headers.frame-options', 'headers.nosniff', 'headers.referrer-policy',
  'headers.cookies', 'headers.cors', 'headers.server', 'headers.mixed-content', 'headers.sri', 'headers.grade',
] as const;
/** Those read from the homepage's answer (mixed content and SRI only when it is HTML served over HTTPS). */
const PAGE_KINDS = ['headers.csp', 'headers.frame-options', 'headers.nosniff', 'headers.referrer-policy', 'headers.cookies', 'headers.server', 'headers.mixed-content', 'headers.sri'] as const;

function attemptOf(site: Site, r: FetchResult, check: string, startedAt: string): Attempt {
  const a: Attempt = { scanner: SCANNER, site: { code: site.code, name: site.name }, target: r.url, check, status: r.error ? r.error.status : 'ok', startedAt, durationMs: r.timings.totalMs };
  if (r.error) a.error = { code: r.error.code, message: explain(r.error.code, r.error.message) };
  return a;
}

/** Make an error message say what happened in the words of this check. */
function explain(code: string, message: string): string {
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return `the response headers are larger than the client accepts (16 KiB): ${message}`;
  if (code === 'EREDIRECTLOOP') return `redirect loop, given up: ${message}`;
  if (code === 'ETOOMANYREDIRECTS') return `redirect chain given up at the limit: ${message}`;
  return message;
}

function toGradeFetch(r: FetchResult): GradeFetch {
  return { url: r.url, route: r.hops.map((h) => ({ url: h.url, status: h.status })), status: r.status ?? 0, headers: r.headers as HeaderMap, verified: verified(r) };
}

function isHtmlPage(r: FetchResult): boolean {
  const type = mediaType(joined(r.headers, 'content-type'));
  if (type !== null) return HTML_TYPES.has(type);
  return /^\s*(<!doctype html|<html|<head|<body)/i.test(r.body.subarray(0, 512).toString('latin1'));
}

/**
 * The address a host resolves to (A, else AAAA), so that the requests of one
 * site need one lookup; undefined when it does not resolve, and each request
 * then resolves by itself and reports why it could not.
 */
async function pinAddress(ctx: ScanContext, host: string): Promise<string | undefined> {
  if (isIP(host)) return undefined;
  // the run's address for the host: the same every other scanner's requests go to
  return (await ctx.net.addressOf(host, { signal: ctx.signal, timeoutMs: ctx.timeoutMs })) ?? undefined;
}

/**
 * GET http://host/ and follow its redirects. When a redirect leads to the
 * HTTPS homepage, which is fetched anyway, the chain is completed with that
 * answer instead of fetching it twice.
 */
async function fetchHttp(ctx: ScanContext, httpUrl: string, httpsUrl: string, httpsWork: Promise<FetchResult>, options: FetchOptions): Promise<FetchResult> {
  const first = await ctx.net.fetch(httpUrl, { ...options, maxBytes: MAX_BODY_BYTES, maxRedirects: 0 });
  const hop = first.hops[0];
  if (first.error?.code !== 'ETOOMANYREDIRECTS' || !hop?.location) return first;
  let next: URL;
  try {
    next = new URL(hop.location, httpUrl);
  } catch {
    return { ...first, error: { code: 'EBADREDIRECT', message: `unparsable Location: ${cut(hop.location, 200)}`, status: 'error' } };
  }
  if (next.href === httpUrl) return { ...first, error: { code: 'EREDIRECTLOOP', message: `redirect loop back to ${httpUrl}`, status: 'error' } };
  const { address: _pinned, ...unpinned } = options;
  const rest = next.href === httpsUrl ? await httpsWork : await ctx.net.fetch(next.href, { ...(next.hostname === new URL(httpUrl).hostname ? options : unpinned), maxBytes: MAX_BODY_BYTES, maxRedirects: (options.maxRedirects ?? MAX_REDIRECTS) - 1 });
  const hops = [hop, ...rest.hops];
  let error = rest.error;
  if (error?.code === 'ETOOMANYREDIRECTS') error = { ...error, message: `more than ${options.maxRedirects ?? MAX_REDIRECTS} redirects` };
  return { ...rest, url: httpUrl, hops, error, timings: { totalMs: first.timings.totalMs + rest.timings.totalMs, firstByteMs: rest.timings.firstByteMs === null ? null : first.timings.totalMs + rest.timings.firstByteMs } };
}

/** Every URL a redirect chain went through: the hops fetched, then a Location not followed (when the chain stopped). */
function visited(r: FetchResult): URL[] {
  const out: URL[] = [];
  for (const h of r.hops) {
    try {
      out.push(new URL(h.url));
    } catch {
      /* recorded hops are URLs */
    }
  }
  const last = r.hops.at(-1);
  if (r.error && last?.location) {
    try {
      const next = new URL(last.location, last.url);
      if (out.at(-1)?.href !== next.href) out.push(next);
    } catch {
      /* an unparsable Location is already the error */
    }
  }
  return out;
}

function redirectFacts(http: FetchResult, httpsWorks: boolean | null, host: string): Record<string, Fact> {
  const urls = visited(http);
  const gotAnswer = http.hops.length > 0;
  const firstHttps = urls.findIndex((u) => u.protocol === 'https:');
  const complete = http.error === null || REDIRECT_GAVE_UP.has(http.error.code);
  const toHttps = !gotAnswer ? null : firstHttps >= 0 ? true : complete ? false : null;
  const viaOtherHost = toHttps === true ? urls.slice(0, firstHttps + 1).some((u) => u.hostname.replace(/^\[|\]$/g, '') !== host) : null;
  return {
    url: http.url,
    answered: gotAnswer ? true : http.error?.status === 'unknown' ? null : false,
    status: http.status,
    hops: http.hops.map((h) => ({ url: h.url, status: h.status, location: h.location })),
    finalUrl: http.finalUrl,
    redirectsToHttps: toHttps,
    firstRedirectToHttps: urls.length > 1 ? urls[1]!.protocol === 'https:' : gotAnswer && complete ? false : null,
    viaOtherHost,
    httpsWorks,
    error: http.error?.code ?? null,
  };
}

/** frame-ancestors of the header policies; of several, one without a wildcard (every policy is enforced, so the strictest decides). */
function frameAncestors(policies: Policy[]): string | null {
  const all = policies.map((p) => p.directives.get('frame-ancestors')).filter((fa): fa is string[] => fa !== undefined);
  const strict = all.find((fa) => !fa.some((x) => BROAD_SOURCES.has(x))) ?? all[0];
  if (strict === undefined) return null;
  return strict.length ? strict.join(' ') : "'none'";
}

/** X-Frame-Options as browsers read it: one value after folding repeats, DENY or SAMEORIGIN; anything else is ignored. */
function xfoEffective(headers: HeaderMap): string | null {
  const tokens = new Set(values(headers, 'x-frame-options').flatMap((v) => v.split(',')).map((t) => t.trim().toLowerCase()));
  if (tokens.size !== 1) return null;
  const [t] = [...tokens];
  return t === 'deny' || t === 'sameorigin' ? t : null;
}

/** The referrer policy in force: the last recognised token of the header, then a <meta name="referrer"> over it. */
function referrerPolicy(headers: HeaderMap, meta: string | null): string | null {
  let policy: string | null = null;
  for (const t of values(headers, 'referrer-policy').flatMap((v) => v.split(','))) {
    const x = t.trim().toLowerCase();
    if (REFERRER_POLICIES.has(x)) policy = x;
  }
  if (meta !== null) {
    const m = meta.trim().toLowerCase();
    const mapped = LEGACY_META_REFERRER[m] ?? m;
    if (REFERRER_POLICIES.has(mapped)) policy = mapped;
  }
  return policy;
}

function list(xs: string[]): string[] {
  return xs.slice(0, LIST_MAX).map((x) => cut(x, 300));
}

/**
 * HTTP security headers: the homepage over HTTP and HTTPS (redirect chain
 * recorded hop by hop), a request with a foreign Origin for CORS, the page's
 * HTML for mixed content and subresource integrity, and a score and grade
 * compatible with the MDN HTTP Observatory.
 */
export const headers = {
  id: SCANNER,
  title: { zh: 'HTTP 安全响应头', en: 'HTTP security headers' },
  emits: KINDS,
  async scan(site: Site, ctx: ScanContext) {
    const observations: Observation[] = [];
    const attempts: Attempt[] = [];
    const ref = { code: site.code, name: site.name };
    const at = (): string => ctx.now().toISOString();
    const primary = new URL(site.urls[0]!);
    const host = primary.hostname.replace(/^\[|\]$/g, '');
    const path = primary.pathname + primary.search;
    const other = (scheme: 'http' | 'https'): string => (primary.protocol === `${scheme}:` ? primary.href : `${scheme}://${primary.hostname}${path}`);
    const httpUrl = other('http');
    const httpsUrl = other('https');
    const options = { signal: ctx.signal, timeoutMs: ctx.timeoutMs, maxRedirects: MAX_REDIRECTS };
    const probeOptions = { ...options, maxBytes: CORS_PROBE_BYTES, headers: { origin: CORS_PROBE_ORIGIN } };
    const observe = (kind: string, target: string, locator: string, facts: Record<string, Fact>, evidence: string[]): void => {
      observations.push({ scanner: SCANNER, kind, site: ref, target, locator, facts, evidence, observedAt: at() });
    };

    // HTTP, HTTPS and (optimistically) the CORS probe of the HTTPS homepage, at once, all to
    // the address the host resolves to now (one lookup; other hosts in a chain resolve as usual).
    const t0 = at();
    const address = await pinAddress(ctx, host);
    const pinned = address ? { ...options, address } : options;
    const httpsWork = ctx.net.fetch(httpsUrl, { ...pinned, maxBytes: MAX_BODY_BYTES });
    const probeWork = ctx.net.fetch(httpsUrl, { ...probeOptions, ...(address ? { address } : {}) });
    const [http, https, httpsProbe] = await Promise.all([fetchHttp(ctx, httpUrl, httpsUrl, httpsWork, pinned), httpsWork, probeWork]);
    attempts.push(attemptOf(site, http, 'http:GET', t0), attemptOf(site, https, 'https:GET', t0));
    const page = answered(https) ? https : answered(http) ? http : null;
    let probe: FetchResult | null = null;
    if (page === https) probe = httpsProbe;
    else if (page === http) probe = await ctx.net.fetch(httpUrl, { ...probeOptions, ...(address ? { address } : {}) });
    // The homepage read for the header checks: without it, none of the page's checks is known.
    const pageAttempt: Attempt = { ...attemptOf(site, page ?? (primary.protocol === 'https:' ? https : http), 'homepage', t0), covers: [...PAGE_KINDS] };
    if (!page && pageAttempt.status === 'ok') Object.assign(pageAttempt, { status: 'error', error: { code: 'ENOPAGE', message: 'the homepage answered over neither HTTP nor HTTPS' } });
    attempts.push(pageAttempt);
    if (probe) attempts.push({ ...attemptOf(site, probe, 'cors:GET', t0), covers: ['headers.cors'] });
    else attempts.push({ scanner: SCANNER, site: ref, target: httpsUrl, check: 'cors:GET', status: 'unknown', error: { code: 'ENOPAGE', message: 'not sent: the homepage answered over neither HTTP nor HTTPS' }, startedAt: t0, durationMs: 0, covers: ['headers.cors'] });

    const gradeStarted = at();
    const g0 = performance.now();
    const took = (): number => Math.round(performance.now() - g0);
    try {
      const httpsWorks = https.error?.status === 'unknown' ? null : https.error === null && https.status !== null && https.status < 400 && verified(https);

      // Redirect from http:// to https://.
      observe('headers.redirect', httpUrl, 'http', redirectFacts(http, httpsWorks, host), [chain(http), chain(https)]);

      // HSTS, read from the HTTPS homepage.
      {
        const sts = values(https.headers, 'strict-transport-security');
        const facts: Record<string, Fact> = { url: httpsUrl, httpsWorks, present: null, count: null, value: null, valid: null, maxAge: null, includeSubDomains: null, preload: null, problem: null };
        const evidence = [chain(https)];
        if (httpsWorks) {
          const reading = sts.length ? readHsts(sts[0]!) : null;
          Object.assign(facts, { present: sts.length > 0, count: sts.length, value: sts.length ? cut(sts[0]!) : null });
          if (reading) Object.assign(facts, { valid: reading.valid, maxAge: reading.maxAge, includeSubDomains: reading.includeSubDomains, preload: reading.preload, problem: reading.problem });
          evidence.push(sts.length ? `Strict-Transport-Security: ${cut(sts[0]!, 200)}${sts.length > 1 ? ` (sent ${sts.length} times; browsers use the first)` : ''}` : 'no Strict-Transport-Security header');
          if (reading?.problem) evidence.push(`not valid, so browsers ignore it: ${reading.problem}`);
        } else evidence.push('HTTPS does not work here (no answer, an error status or a certificate that does not verify): HSTS does not apply');
        observe('headers.hsts', httpsUrl, 'hsts', facts, evidence);
      }

      let pageFacts: PageFacts | null = null;
      if (page) {
        const h = page.headers as HeaderMap;
        const target = page.url;
        const html = isHtmlPage(page);
        if (html) pageFacts = readPage(page.body, joined(h, 'content-type'), page.finalUrl);
        const bodyNote = page.truncated ? [`the body was cut at the byte limit (${page.body.length} bytes read): only that part was examined`] : [];

        // Content Security Policy.
        const headerPolicies = parsePolicies(values(h, 'content-security-policy'), 'header');
        const metaPolicies = parsePolicies(pageFacts?.metaCsp ?? [], 'meta');
        const enforced = [...headerPolicies, ...metaPolicies];
        const weak = combinedWeaknesses(enforced);
        const problems = [...new Set(enforced.flatMap((p) => p.problems))];
        if (weak?.strictDynamicWithoutNonce) problems.push("'strict-dynamic' without a nonce or hash");
        const cspRaw = joined(h, 'content-security-policy');
        const reportOnly = values(h, 'content-security-policy-report-only').length > 0;
        observe('headers.csp', target, 'csp', {
          url: page.finalUrl,
          present: enforced.length > 0,
          source: headerPolicies.length && metaPolicies.length ? 'header+meta' : headerPolicies.length ? 'header' : metaPolicies.length ? 'meta' : null,
          policies: enforced.length,
          reportOnly,
          policy: cspRaw !== null ? cut(cspRaw, 1000) : pageFacts?.metaCsp.length ? cut(pageFacts.metaCsp.join(', '), 1000) : null,
          scriptSrcMissing: weak?.scriptSrcMissing ?? null,
          unsafeInline: weak?.unsafeInline ?? null,
          unsafeEval: weak?.unsafeEval ?? null,
          wildcardSources: weak?.wildcardSources ?? null,
          objectSrcMissing: weak?.objectSrcMissing ?? null,
          problems: list(problems),
        }, [
          cspRaw !== null ? `Content-Security-Policy: ${cut(cspRaw, 200)}` : 'no Content-Security-Policy header',
          ...(pageFacts?.metaCsp.length ? [`<meta http-equiv="Content-Security-Policy" content="${cut(pageFacts.metaCsp.join(' | '), 200)}">`] : []),
          ...(reportOnly && enforced.length === 0 ? ['only Content-Security-Policy-Report-Only: reports, blocks nothing'] : []),
          ...(problems.length ? [`policy problems: ${cut(problems.join('; '), 250)}`] : []),
        ]);

        // Framing.
        const xfo = joined(h, 'x-frame-options');
        const fa = frameAncestors(headerPolicies);
        observe('headers.frame-options', target, 'frame-options', { url: page.finalUrl, xFrameOptions: xfo !== null ? cut(xfo) : null, xFrameOptionsEffective: xfoEffective(h), cspFrameAncestors: fa !== null ? cut(fa) : null }, [
          xfo !== null ? `X-Frame-Options: ${cut(xfo, 200)}${xfoEffective(h) === null ? ' (not DENY or SAMEORIGIN alone: browsers ignore it)' : ''}` : 'no X-Frame-Options header',
          fa !== null ? `CSP frame-ancestors ${cut(fa, 200)}` : 'no frame-ancestors in a Content-Security-Policy header',
        ]);

        // MIME sniffing: the first value of X-Content-Type-Options decides (Fetch standard).
        const xcto = values(h, 'x-content-type-options');
        const firstXcto = xcto.flatMap((v) => v.split(','))[0]?.trim().toLowerCase() ?? null;
        observe('headers.nosniff', target, 'nosniff', { url: page.finalUrl, xContentTypeOptions: xcto.length ? cut(xcto.join(', ')) : null, nosniff: firstXcto === 'nosniff' }, [
          xcto.length ? `X-Content-Type-Options: ${cut(xcto.join(', '), 200)}` : 'no X-Content-Type-Options header',
        ]);

        // Referrer policy.
        const rp = joined(h, 'referrer-policy');
        const policy = referrerPolicy(h, pageFacts?.metaReferrer ?? null);
        observe('headers.referrer-policy', target, 'referrer-policy', { url: page.finalUrl, header: rp !== null ? cut(rp) : null, meta: pageFacts?.metaReferrer ? cut(pageFacts.metaReferrer) : null, policy }, [
          rp !== null ? `Referrer-Policy: ${cut(rp, 200)}` : 'no Referrer-Policy header',
          ...(pageFacts?.metaReferrer ? [`<meta name="referrer" content="${cut(pageFacts.metaReferrer, 100)}">`] : []),
          policy === null ? 'no recognised referrer policy' : `policy in force: ${policy}${UNSAFE_REFERRER.has(policy) ? ' (sends the full URL or the origin across sites or to http://)' : ''}`,
        ]);

        // Cookies: names and flags, never values.
        const cookies = cookieFlags(values(h, 'set-cookie'), ctx.now()).filter((c) => !c.expired);
        const insecure = cookies.filter((c) => lacks(c).length > 0);
        observe('headers.cookies', target, 'cookies', {
          url: page.finalUrl,
          count: cookies.length,
          cookies: cookies.slice(0, 50).map((c) => ({ name: c.name, secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite })),
          insecure: list(insecure.map((c) => displayName(c.name))),
          insecureCount: insecure.length,
          withoutSecure: list(cookies.filter((c) => !c.secure).map((c) => displayName(c.name))),
          withoutHttpOnly: list(cookies.filter((c) => !c.httpOnly).map((c) => displayName(c.name))),
          withoutSameSite: list(cookies.filter((c) => !c.sameSiteValid).map((c) => displayName(c.name))),
        }, cookies.length ? insecure.slice(0, LIST_MAX).map((c) => `cookie ${displayName(c.name)}: ${lacks(c).join(', ')}`) : ['no cookie set']);

        // Version banners.
        const banner = (name: string): string | null => {
          const v = joined(h, name);
          return v === null ? null : cut(v, 200);
        };
        const server = { server: banner('server'), poweredBy: banner('x-powered-by'), aspNetVersion: banner('x-aspnet-version'), aspNetMvcVersion: banner('x-aspnetmvc-version') };
        const bannerLines = (
          [['Server', server.server], ['X-Powered-By', server.poweredBy], ['X-AspNet-Version', server.aspNetVersion], ['X-AspNetMvc-Version', server.aspNetMvcVersion]] as const
        ).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`);
        observe('headers.server', target, 'server', { url: page.finalUrl, ...server }, bannerLines.length ? bannerLines : ['no server banner']);

        // Mixed content and subresource integrity, from the HTML.
        if (pageFacts) {
          const charset = { charset: pageFacts.charset, charsetSource: pageFacts.charsetSource, bodyTruncated: page.truncated, bytes: page.body.length };
          if (page.finalUrl.startsWith('https:')) {
            observe('headers.mixed-content', target, 'mixed-content', {
              url: page.finalUrl,
              active: list(pageFacts.mixedActive),
              activeCount: pageFacts.mixedActive.length,
              passive: list(pageFacts.mixedPassive),
              passiveCount: pageFacts.mixedPassive.length,
              ...charset,
            }, [
              ...pageFacts.mixedActive.slice(0, 5).map((u) => `loads over http:// (script, style or frame): ${cut(u, 200)}`),
              ...pageFacts.mixedPassive.slice(0, 5).map((u) => `loads over http:// (image or media): ${cut(u, 200)}`),
              ...(pageFacts.mixedActive.length + pageFacts.mixedPassive.length === 0 ? ['nothing loaded over http://'] : []),
              ...bodyNote,
            ]);
          }
          const third = thirdPartyScripts(pageFacts.scripts, page.finalUrl);
          const bare = third.filter((s) => !s.integrity);
          observe('headers.sri', target, 'sri', {
            url: page.finalUrl,
            scripts: pageFacts.scripts.filter((s) => s.src !== null).length,
            thirdParty: list(third.map((s) => s.url!)),
            thirdPartyCount: third.length,
            withoutIntegrity: list(bare.map((s) => s.url!)),
            withoutIntegrityCount: bare.length,
            ...charset,
          }, [...bare.slice(0, 5).map((s) => `third-party script without integrity: ${cut(s.url!, 200)}`), ...(bare.length === 0 ? [`${third.length} third-party script(s), all with integrity`] : []), ...bodyNote]);
        }
      }

      // CORS, from the probe with a foreign Origin.
      if (answered(probe)) {
        const acao = joined(probe.headers, 'access-control-allow-origin');
        const acac = joined(probe.headers, 'access-control-allow-credentials');
        const echoes = acao !== null && acao.trim() === CORS_PROBE_ORIGIN;
        const credentials = acac !== null && acac.trim().toLowerCase() === 'true';
        observe('headers.cors', probe.url, 'cors', { url: probe.url, origin: CORS_PROBE_ORIGIN, allowOrigin: acao !== null ? cut(acao) : null, allowCredentials: credentials, echoesOrigin: echoes, status: probe.status }, [
          `GET ${probe.url} with Origin: ${CORS_PROBE_ORIGIN}`,
          acao !== null ? `Access-Control-Allow-Origin: ${cut(acao, 200)}${echoes ? ' (our foreign Origin, echoed)' : ''}` : 'no Access-Control-Allow-Origin header',
          ...(acac !== null ? [`Access-Control-Allow-Credentials: ${cut(acac, 50)}`] : []),
        ]);
      }

      // The grade.
      const gradeTarget = page?.url ?? httpsUrl;
      if (page && page.status !== null && gradableStatus(page.status)) {
        const input: GradeInput = {
          host,
          http: answered(http) ? toGradeFetch(http) : null,
          https: answered(https) ? toGradeFetch(https) : null,
          page: pageFacts,
          cors: answered(probe) ? { headers: probe.headers as HeaderMap, origin: CORS_PROBE_ORIGIN } : null,
        };
        const g = grade(input, ctx.now());
        const tests: Record<string, Fact> = {};
        for (const [name, t] of Object.entries(g.tests)) tests[name] = { result: t.result, modifier: t.modifier, ...(t.observatory ? { observatory: t.observatory } : {}) };
        observe('headers.grade', gradeTarget, 'grade', {
          url: page.url,
          score: g.score,
          grade: g.grade,
          observatoryScore: g.observatoryScore,
          observatoryGrade: g.observatoryGrade,
          differs: g.differences.length > 0,
          differences: g.differences,
          tests,
          reason: null,
        }, [
          `score ${g.score} (${g.grade}); the MDN HTTP Observatory's algorithm gives ${g.observatoryScore} (${g.observatoryGrade})`,
          ...g.differences.map((d) => `govscan differs from the Observatory here: ${d}`),
          ...Object.entries(g.tests).map(([name, t]) => `${name}: ${t.result} (${t.modifier > 0 ? '+' : ''}${t.modifier})`),
        ]);
        attempts.push({ scanner: SCANNER, site: ref, target: gradeTarget, check: 'grade', status: 'ok', startedAt: gradeStarted, durationMs: took(), covers: ['headers.grade'] });
      } else {
        const reason = page ? `the homepage answered ${page.status}: only 2xx, 3xx, 401 and 403 answers are graded` : 'the homepage answered over neither HTTP nor HTTPS';
        observe('headers.grade', gradeTarget, 'grade', { url: gradeTarget, score: null, grade: null, observatoryScore: null, observatoryGrade: null, differs: null, differences: [], tests: null, reason }, [`not graded: ${reason}`]);
        attempts.push({ scanner: SCANNER, site: ref, target: gradeTarget, check: 'grade', status: 'unknown', error: { code: 'ENOTGRADED', message: reason }, startedAt: gradeStarted, durationMs: took(), covers: ['headers.grade'] });
      }
    } catch (err) {
      // Reading the answers must not take the scan down: say what could not be judged.
      attempts.push({ scanner: SCANNER, site: ref, target: httpsUrl, check: 'grade', status: 'unknown', error: { code: 'EANALYSIS', message: `the answers could not be read: ${(err as Error).message}` }, startedAt: gradeStarted, durationMs: took(), covers: [...KINDS] });
      ctx.log.warn({ site: site.code, err: (err as Error).message }, 'headers: analysis failed');
    }
    return { observations, attempts };
  },
} as const satisfies Scanner;
