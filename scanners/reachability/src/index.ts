import net from 'node:net';
import type { Attempt, DnsResult, Fact, FetchResult, Observation, Scanner, ScanContext, Site } from '@govscan/core';

/** DNS answers that settle the question: the name exists with data, exists without, or does not exist. */
const ANSWERED = new Set(['ok', 'nodata', 'nxdomain']);

function otherScheme(u: string): string {
  const url = new URL(u);
  url.protocol = url.protocol === 'https:' ? 'http:' : 'https:';
  return url.href;
}

function describeFetch(r: FetchResult): string {
  const chain = r.hops.map((h) => `${h.status}${h.location ? ` → ${h.location}` : ''}`).join(', ');
  const via = r.hops.at(-1)?.address ? ` via ${r.hops.at(-1)!.address}:${r.hops.at(-1)!.port}` : '';
  if (r.error) return `GET ${r.url}: ${r.error.code} ${r.error.message}${chain ? ` (after ${chain})` : ''} after ${r.timings.totalMs} ms`;
  return `GET ${r.url}: ${chain} in ${r.timings.totalMs} ms${via}${r.truncated ? ' (body cut at the byte limit)' : ''}`;
}

/** Did the page load? true / false, or null when that could not be established (DNS unknown, address policy). */
function loaded(r: FetchResult): boolean | null {
  if (r.error) return r.error.status === 'unknown' ? null : false;
  return r.status !== null && r.status >= 200 && r.status < 300;
}

function fetchFacts(r: FetchResult): Record<string, Fact> {
  const last = r.hops.at(-1);
  return {
    url: r.url,
    scheme: new URL(r.url).protocol.replace(':', ''),
    loaded: loaded(r),
    status: r.status,
    finalUrl: r.finalUrl,
    redirects: Math.max(0, r.hops.length - 1),
    hops: r.hops.map((h) => ({ url: h.url, status: h.status, location: h.location, address: h.address })),
    address: last?.address ?? null,
    totalMs: r.timings.totalMs,
    firstByteMs: r.timings.firstByteMs,
    bytes: r.body.length,
    truncated: r.truncated,
    error: r.error?.code ?? null,
    errorMessage: r.error?.message ?? null,
    tlsProtocol: r.tls?.protocol ?? null,
    tlsAuthorized: r.tls ? r.tls.authorized : null,
    tlsError: r.tls?.authorizationError ?? null,
  };
}

function dnsAttempt(site: Site, r: DnsResult, startedAt: string): Attempt {
  const status = ANSWERED.has(r.status) ? 'ok' : 'unknown';
  const a: Attempt = { scanner: 'reachability', site: { code: site.code, name: site.name }, target: r.name, check: `dns:${r.type}`, status, startedAt, durationMs: r.elapsedMs };
  if (status !== 'ok') a.error = r.error ?? { code: r.status.toUpperCase(), message: `${r.status} from ${r.resolver}` };
  return a;
}

/**
 * Reachability: per host, DNS A and AAAA; per URL, an HTTP(S) GET of the
 * homepage with its redirect chain, status, timings and final URL; and the
 * other scheme of the primary URL, so later rules can compare the two.
 */
export const reachability = {
  id: 'reachability',
  title: { zh: '可访问性', en: 'Reachability' },
  emits: ['reachability.dns', 'reachability.fetch', 'reachability.homepage'],
  async scan(site: Site, ctx: ScanContext) {
    const observations: Observation[] = [];
    const attempts: Attempt[] = [];
    const ref = { code: site.code, name: site.name };
    const at = (): string => ctx.now().toISOString();
    const primary = site.urls[0]!;
    const urls = [...new Set([...site.urls, otherScheme(primary)])];
    const hosts = [...new Set(site.urls.map((u) => new URL(u).hostname.replace(/^\[(.*)\]$/, '$1')))].filter((h) => !net.isIP(h));

    const dnsWork = hosts.map(async (host) => {
      const startedAt = at();
      const [a, aaaa] = await Promise.all([ctx.net.resolve(host, 'A', { signal: ctx.signal }), ctx.net.resolve(host, 'AAAA', { signal: ctx.signal })]);
      attempts.push(dnsAttempt(site, a, startedAt), dnsAttempt(site, aaaa, startedAt));
      const addrs = (r: DnsResult): Fact => (ANSWERED.has(r.status) ? r.answers.filter((x) => x.type === r.type).map((x) => x.data) : null);
      observations.push({
        scanner: 'reachability',
        kind: 'reachability.dns',
        site: ref,
        target: host,
        locator: 'dns',
        facts: { host, a: addrs(a), aaaa: addrs(aaaa), aStatus: a.status, aaaaStatus: aaaa.status, cname: a.answers.filter((x) => x.type === 'CNAME').map((x) => x.data), resolver: a.resolver },
        evidence: [`A ${host}: ${a.status}${a.answers.length ? ` ${a.answers.map((x) => x.data).join(' ')}` : ''}`, `AAAA ${host}: ${aaaa.status}${aaaa.answers.length ? ` ${aaaa.answers.map((x) => x.data).join(' ')}` : ''}`],
        observedAt: startedAt,
      });
    });

    const fetched = new Map<string, FetchResult>();
    const fetchWork = urls.map(async (url) => {
      const startedAt = at();
      const r = await ctx.net.fetch(url, { signal: ctx.signal, timeoutMs: ctx.timeoutMs });
      fetched.set(url, r);
      const scheme = new URL(url).protocol.replace(':', '');
      const attempt: Attempt = { scanner: 'reachability', site: ref, target: url, check: `${scheme}:GET`, status: r.error ? r.error.status : 'ok', startedAt, durationMs: r.timings.totalMs };
      if (r.error) attempt.error = { code: r.error.code, message: r.error.message };
      attempts.push(attempt);
      observations.push({ scanner: 'reachability', kind: 'reachability.fetch', site: ref, target: url, locator: scheme, facts: fetchFacts(r), evidence: [describeFetch(r)], observedAt: startedAt });
    });

    await Promise.all([...dnsWork, ...fetchWork]);
    const home = fetched.get(primary)!;
    observations.push({
      scanner: 'reachability',
      kind: 'reachability.homepage',
      site: ref,
      target: primary,
      locator: 'homepage',
      facts: fetchFacts(home),
      evidence: [describeFetch(home)],
      observedAt: at(),
    });
    return { observations, attempts };
  },
} as const satisfies Scanner;
