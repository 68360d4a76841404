/**
 * Blocklists for the office's own network: a DNS response-policy zone (RPZ,
 * `CNAME .` = NXDOMAIN for the name and every name below it), hosts-file
 * lines and a plain list of domains. Registered hosts are never listed.
 */
import type { CaseData } from '@govscan/case';

/** The unregistered hosts the case saw: the reported one and any host its redirects led to. */
export function hostsToBlock(data: CaseData, isRegistered: (host: string) => boolean = () => false): string[] {
  const hosts = [data.reported.host, ...data.capture.exchanges.map((e) => new URL(e.url).hostname), ...data.capture.exchanges.flatMap((e) => (e.location ? [safeHost(e.location, e.url)] : []))];
  const genuine = new Set((data.attribution.site?.urls ?? []).map((u) => new URL(u).hostname));
  return [...new Set(hosts.filter((h): h is string => !!h && !genuine.has(h) && !isRegistered(h) && !/^[\d.]+$|:/.test(h)))].sort();
}

function safeHost(location: string, base: string): string | null {
  try {
    return new URL(location, base).hostname;
  } catch {
    return null;
  }
}

export function rpzZone(data: CaseData, hosts: string[]): string {
  const t = new Date(data.createdAt);
  const serial = `${t.getUTCFullYear()}${String(t.getUTCMonth() + 1).padStart(2, '0')}${String(t.getUTCDate()).padStart(2, '0')}01`;
  return [
    `; govscan ${data.id}: counterfeit of ${data.attribution.site ? `${data.attribution.site.name} (${data.attribution.site.code})` : 'a government website'}`,
    `; reported URL ${data.reported.url}; captured ${data.capture.at} (UTC)`,
    '$TTL 300',
    `@ IN SOA localhost. hostmaster.localhost. ( ${serial} 3600 600 86400 300 )`,
    '  IN NS localhost.',
    ...hosts.flatMap((h) => [`${h} CNAME .`, `*.${h} CNAME .`]),
    '',
  ].join('\n');
}

export function hostsFile(data: CaseData, hosts: string[]): string {
  return [`# govscan ${data.id}: counterfeit site, captured ${data.capture.at} (UTC)`, ...hosts.flatMap((h) => [`0.0.0.0 ${h}`, `:: ${h}`]), ''].join('\n');
}

export function domainList(hosts: string[]): string {
  return hosts.map((h) => `${h}\n`).join('');
}
