import type { Attempt, Observation, Scanner, ScanContext, Site } from '@govscan/core';
import { scanDns } from './dns.js';
import { scanPage } from './page.js';
import { REGISTRY_KINDS, registryObservations } from './registry.js';

export { REGISTRY_KINDS, registryObservations, hostNames, siteHosts, portalOf, divisionLevel, type HostNames, type RegistryObservationOptions } from './registry.js';
export { extractTokens, mergeTokens, conacId, type PageTokens, type Token } from './extract.js';
export { climb, registrableDomain } from './dns.js';

/**
 * Naming and identity compliance (《政府网站发展指引》) and DNS hygiene.
 *
 * Per site: the registry-level facts (domain suffix and form, site code,
 * number of domains: no network); the homepage's identity tokens (site code,
 * ICP and 公网安备 numbers, CONAC badge, 找错 entry, sponsor and contact,
 * meta tags, title), each with where it was found, compared with the
 * registry; and the primary host's AAAA (and whether the homepage loads over
 * IPv6), CAA and name servers.
 */
export const naming = {
  id: 'naming',
  title: { zh: '命名与标识规范、域名解析', en: 'Naming, identity and DNS hygiene' },
  emits: [...REGISTRY_KINDS, 'naming.identity', 'naming.page', 'dns.ipv6', 'dns.caa', 'dns.ns'],
  async scan(site: Site, ctx: ScanContext) {
    const observations: Observation[] = registryObservations(ctx.registry, { sites: [site], now: ctx.now });
    const attempts: Attempt[] = [];
    const [page, dns] = await Promise.all([scanPage(site, ctx), scanDns(site, ctx)]);
    observations.push(...page.observations, ...dns.observations);
    attempts.push(...page.attempts, ...dns.attempts);
    return { observations, attempts };
  },
} as const satisfies Scanner;
