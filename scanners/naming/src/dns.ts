/**
 * DNS hygiene of a site's primary host: AAAA and whether the homepage loads
 * over IPv6; CAA (climbing from the host to its registrable domain, as a CA
 * would, short of the public suffix); the zone's name servers and the /24s
 * their addresses sit in. Facts only.
 */
import { parse as parseDomain } from 'tldts';
import type { Attempt, DnsRecordType, DnsResult, Fact, Observation, ScanContext, Site } from '@govscan/core';
import { hostNames } from './registry.js';

const ANSWERED = new Set(['ok', 'nodata', 'nxdomain']);

/** The registrable domain (the zone an office registers) of a host: yaan.gov.cn for www.yaan.gov.cn; null for an address or a bare suffix. */
export function registrableDomain(host: string): string | null {
  return parseDomain(host).domain ?? null;
}

/** The host and its parents down to the registrable domain: www.yaan.gov.cn, yaan.gov.cn. */
export function climb(host: string): string[] {
  const registrable = parseDomain(host).domain;
  const labels = host.split('.');
  const out: string[] = [];
  for (let i = 0; i < labels.length - 1; i++) {
    const name = labels.slice(i).join('.');
    out.push(name);
    if (name === registrable) break;
  }
  if (!registrable) return [host];
  return out;
}

/** 127.0.1.53 → 127.0.1.0/24 */
function slash24(ip: string): string | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.\d+$/.exec(ip);
  return m ? `${m[1]}.${m[2]}.${m[3]}.0/24` : null;
}

function show(r: DnsResult): string {
  return `${r.type} ${r.name}: ${r.status}${r.answers.length ? ` ${r.answers.filter((a) => a.type === r.type).map((a) => a.data).join(', ')}` : ''}`;
}

export async function scanDns(site: Site, ctx: ScanContext): Promise<{ observations: Observation[]; attempts: Attempt[] }> {
  const ref = { code: site.code, name: site.name };
  const observations: Observation[] = [];
  const attempts: Attempt[] = [];
  const at = (): string => ctx.now().toISOString();
  const url = site.urls[0]!;
  const names = hostNames(new URL(url).hostname);
  // A bare address has no DNS of its own to judge: the DNS rules are settled, with nothing to observe.
  if (names.ip) return { observations, attempts: [{ scanner: 'naming', site: ref, target: url, check: 'dns:none', status: 'ok', startedAt: at(), durationMs: 0, covers: ['dns.ipv6', 'dns.caa', 'dns.ns'] }] };
  const host = names.ascii;

  const resolve = async (name: string, type: DnsRecordType, check: string): Promise<DnsResult> => {
    const startedAt = at();
    const r = await ctx.net.resolve(name, type, { signal: ctx.signal, timeoutMs: ctx.timeoutMs });
    const a: Attempt = { scanner: 'naming', site: ref, target: name, check, status: ANSWERED.has(r.status) ? 'ok' : 'unknown', startedAt, durationMs: r.elapsedMs };
    if (a.status !== 'ok') a.error = r.error ?? { code: `E${r.status.toUpperCase()}`, message: `${r.status} from ${r.resolver}` };
    attempts.push(a);
    return r;
  };
  const data = (r: DnsResult): string[] => r.answers.filter((a) => a.type === r.type).map((a) => a.data);

  /** Climb until a name answers with records of the type; null when a step could not be answered. */
  const climbFor = async (type: DnsRecordType, check: string): Promise<{ name: string | null; records: string[] | null; results: DnsResult[] }> => {
    const results: DnsResult[] = [];
    for (const name of climb(host)) {
      const r = await resolve(name, type, check);
      results.push(r);
      if (!ANSWERED.has(r.status)) return { name: null, records: null, results };
      // A host that does not exist has no records to judge: census.unreachable speaks for it.
      if (r.status === 'nxdomain' && name === host) return { name: null, records: null, results };
      const d = data(r);
      if (d.length > 0) return { name, records: d, results };
    }
    return { name: null, records: [], results };
  };

  const ipv6 = (async () => {
    const r = await resolve(host, 'AAAA', 'dns:AAAA');
    const aaaa = ANSWERED.has(r.status) && r.status !== 'nxdomain' ? data(r) : null;
    const facts: Record<string, Fact> = { host, aaaa, aaaaStatus: r.status, hasAaaa: aaaa === null ? null : aaaa.length > 0, v6Loaded: null, v6Status: null, v6Error: null, v4Loaded: null };
    const evidence = [show(r)];
    if (aaaa && aaaa.length > 0) {
      const startedAt = at();
      const [v6, v4] = await Promise.all([
        ctx.net.fetch(url, { family: 6, signal: ctx.signal, timeoutMs: ctx.timeoutMs, maxBytes: 64 * 1024 }),
        ctx.net.fetch(url, { family: 4, signal: ctx.signal, timeoutMs: ctx.timeoutMs, maxBytes: 64 * 1024 }),
      ]);
      const attempt: Attempt = { scanner: 'naming', site: ref, target: url, check: 'ipv6:GET', status: v6.error ? v6.error.status : 'ok', startedAt, durationMs: v6.timings.totalMs };
      if (v6.error) attempt.error = { code: v6.error.code, message: v6.error.message };
      attempts.push(attempt);
      const loaded = (x: typeof v6): boolean | null => (x.error ? (x.error.status === 'unknown' ? null : false) : x.status !== null && x.status >= 200 && x.status < 300);
      facts.v6Loaded = loaded(v6);
      facts.v6Status = v6.status;
      facts.v6Error = v6.error?.code ?? null;
      facts.v6Address = v6.hops.at(-1)?.address ?? null;
      // Over IPv4 for comparison: a site down on both families is census.unreachable's, not an IPv6 problem.
      facts.v4Loaded = loaded(v4);
      evidence.push(`GET ${url} over IPv6: ${v6.error ? `${v6.error.code} ${v6.error.message}` : `${v6.status} via ${v6.hops.at(-1)?.address ?? '?'}`}`);
      evidence.push(`GET ${url} over IPv4: ${v4.error ? `${v4.error.code} ${v4.error.message}` : `${v4.status}`}`);
    }
    observations.push({ scanner: 'naming', kind: 'dns.ipv6', site: ref, target: host, locator: 'dns:AAAA', facts, evidence, observedAt: at() });
  })();

  const caa = (async () => {
    const c = await climbFor('CAA', 'dns:CAA');
    const unknown = c.records === null;
    observations.push({
      scanner: 'naming',
      kind: 'dns.caa',
      site: ref,
      target: host,
      locator: 'dns:CAA',
      facts: { host, checked: c.results.map((r) => r.name), caaName: c.name, caa: c.records, caaFound: unknown ? null : c.records!.length > 0 },
      evidence: c.results.map(show),
      observedAt: at(),
    });
  })();

  const ns = (async () => {
    const n = await climbFor('NS', 'dns:NS');
    const facts: Record<string, Fact> = { host, zone: n.name, ns: n.records, nsCount: n.records === null ? null : n.records.length, nsAddresses: null, nsSubnets: null, nsDistinctSubnets: null };
    const evidence = n.results.map(show);
    if (n.records && n.records.length > 0) {
      const addrs = await Promise.all(
        n.records.map(async (server) => {
          const r = await resolve(server.replace(/\.$/, ''), 'A', 'dns:NS-A');
          evidence.push(show(r));
          return [server, ANSWERED.has(r.status) ? data(r) : null] as const;
        }),
      );
      facts.nsAddresses = Object.fromEntries(addrs.map(([s, a]) => [s, a]));
      const known = addrs.flatMap(([, a]) => a ?? []);
      const subnets = [...new Set(known.map(slash24).filter((x): x is string => x !== null))];
      // Only when every server's address is known can "all in one /24" be said.
      const allKnown = addrs.every(([, a]) => a !== null && a.length > 0);
      facts.nsSubnets = subnets;
      facts.nsDistinctSubnets = allKnown ? subnets.length : null;
    }
    observations.push({ scanner: 'naming', kind: 'dns.ns', site: ref, target: n.name ?? host, locator: 'dns:NS', facts, evidence, observedAt: at() });
  })();

  await Promise.all([ipv6, caa, ns]);
  return { observations, attempts };
}
