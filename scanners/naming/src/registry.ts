/**
 * Registry-level naming facts: what the registry (名录) itself says about each
 * site's domains and site code, with no network at all. The same
 * observations feed `govscan scan` (per site) and `govscan lint` (the whole
 * registry, offline). Facts only: the rules in `rules/naming.yaml` judge them.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import net from 'node:net';
import { parse as parseDomain } from 'tldts';
import type { Fact, Observation, Registry, Site } from '@govscan/core';

/** Observation kinds produced from the registry alone (what `govscan lint` judges). */
export const REGISTRY_KINDS = ['naming.registry.domain', 'naming.registry.site'] as const;

const SCANNER = 'naming';

/** One host of a site, in both spellings. */
export interface HostNames {
  /** ASCII (punycode) form, lower case, no trailing dot. */
  ascii: string;
  /** Unicode form. */
  unicode: string;
  /** Has a label that is not ASCII in its Unicode form (a Chinese domain). */
  idn: boolean;
  ip: boolean;
}

export function hostNames(host: string): HostNames {
  const bare = host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  const ip = net.isIP(bare) !== 0;
  const ascii = ip ? bare : domainToASCII(bare) || bare;
  const unicode = ip ? bare : domainToUnicode(ascii) || ascii;
  // eslint-disable-next-line no-control-regex
  return { ascii, unicode, idn: /[^\x00-\x7f]/.test(unicode), ip };
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/** Distinct hosts of a site, in registry order. */
export function siteHosts(site: Site): HostNames[] {
  const out: HostNames[] = [];
  for (const u of site.urls) {
    const h = hostOf(u);
    if (!h) continue;
    const names = hostNames(h);
    if (!out.some((x) => x.ascii === names.ascii)) out.push(names);
  }
  return out;
}

/** The domain a host stands for when counting a site's domains: a leading `www.` is the same domain. */
function domainKey(h: HostNames): string {
  return h.ascii.replace(/^www\./, '');
}

/** Administrative level of a 6-digit division code (GB/T 2260 shape). */
export function divisionLevel(division: string): 'province' | 'prefecture' | 'county' | null {
  if (!/^\d{6}$/.test(division)) return null;
  if (division.endsWith('0000')) return 'province';
  if (division.endsWith('00')) return 'prefecture';
  return 'county';
}

/**
 * The portal of a site's own level: the registry's `portal` (else
 * `county-portal`) site with the same division code.
 */
export function portalOf(registry: Registry, site: Site): Site | null {
  const same = (byDivision(registry).get(site.division) ?? []).filter((s) => s.code !== site.code);
  return same.find((s) => s.kind === 'portal') ?? same.find((s) => s.kind === 'county-portal') ?? null;
}

/** The registry's portals by division, built once per registry (a lookup per site, not a scan of every site: a 164,000-site registry stays linear). */
const portalIndex = new WeakMap<Registry, Map<string, Site[]>>();
function byDivision(registry: Registry): Map<string, Site[]> {
  let index = portalIndex.get(registry);
  if (!index) {
    index = new Map();
    for (const s of registry.sites) if (s.kind === 'portal' || s.kind === 'county-portal') index.set(s.division, [...(index.get(s.division) ?? []), s]);
    portalIndex.set(registry, index);
  }
  return index;
}

/** The portal's English domain without its `www.`: what department sites hang under. */
function portalDomain(portal: Site): string | null {
  const english = siteHosts(portal).find((h) => !h.idn && !h.ip);
  return english ? english.ascii.replace(/^www\./, '') : null;
}

function codeFacts(site: Site): Record<string, Fact> {
  const m = /^(?:(\d{6})|(bm\d{4}))(\d{4})$/.exec(site.code);
  const codeForm = !m ? 'malformed' : m[1] ? 'division' : 'bm';
  const codeDivision = m?.[1] ?? null;
  return {
    code: site.code,
    codeForm,
    codeDivision,
    codeDepartment: m?.[2] ?? null,
    sequence: m?.[3] ?? null,
    division: site.division,
    divisionLevel: divisionLevel(site.division),
    divisionMatches: codeDivision === null ? null : codeDivision === site.division,
    kind: site.kind,
  };
}

export interface RegistryObservationOptions {
  /** Only these sites (default: all of the registry); the registry is still used to find portals. */
  sites?: readonly Site[];
  now?: () => Date;
}

/**
 * Registry-level observations: one `naming.registry.site` per site (code,
 * domain counts) and one `naming.registry.domain` per distinct host of each
 * site (suffix and form facts). Pure: no network, no clock but `now`.
 */
export function registryObservations(registry: Registry, options: RegistryObservationOptions = {}): Observation[] {
  const observedAt = (options.now ?? (() => new Date()))().toISOString();
  const out: Observation[] = [];
  for (const site of options.sites ?? registry.sites) {
    const ref = { code: site.code, name: site.name };
    const hosts = siteHosts(site);
    const english = hosts.filter((h) => !h.idn);
    const chinese = hosts.filter((h) => h.idn);
    const englishDomains = [...new Set(english.map(domainKey))];
    const chineseDomains = [...new Set(chinese.map(domainKey))];
    const primary = hosts[0] ?? null;
    const where = site.source ? `${site.source.file}:${site.source.line}` : registry.file;
    out.push({
      scanner: SCANNER,
      kind: 'naming.registry.site',
      site: ref,
      target: site.urls[0] ?? site.code,
      locator: 'registry',
      facts: {
        ...codeFacts(site),
        primaryHost: primary?.ascii ?? null,
        englishDomains,
        chineseDomains: chineseDomains.map((d) => domainToUnicode(d) || d),
        englishDomainCount: englishDomains.length,
        chineseDomainCount: chineseDomains.length,
        source: where,
      },
      evidence: [`registry ${where}: ${site.code} ${site.name} (${site.kind}, division ${site.division}) ${site.urls.join(' ')}`],
      observedAt,
    });

    const portal = site.kind === 'department' || site.kind === 'other' ? portalOf(registry, site) : null;
    const pDomain = portal ? portalDomain(portal) : null;
    const firstEnglish = english[0]?.ascii ?? null;
    for (const h of hosts) {
      const parsed = h.ip ? null : parseDomain(h.ascii);
      const labels = h.ascii.split('.');
      const parent = labels.length > 1 ? labels.slice(1).join('.') : null;
      const facts: Record<string, Fact> = {
        host: h.ascii,
        hostUnicode: h.unicode,
        idn: h.idn,
        ip: h.ip,
        publicSuffix: parsed?.publicSuffix ?? null,
        publicSuffixUnicode: parsed?.publicSuffix ? domainToUnicode(parsed.publicSuffix) || parsed.publicSuffix : null,
        registrableDomain: parsed?.domain ?? null,
        kind: site.kind,
        primary: h.ascii === primary?.ascii,
        englishPrimary: !h.idn && h.ascii === firstEnglish,
        firstLabel: labels[0] ?? null,
        parentDomain: parent,
      };
      if (site.kind === 'department' || site.kind === 'other') {
        facts.portalCode = portal?.code ?? null;
        facts.portalDomain = pDomain;
        // <abbr>.<portal domain>: exactly one label in front of the portal's domain.
        facts.underPortal = h.idn || h.ip || pDomain === null ? null : parent === pDomain;
      }
      out.push({
        scanner: SCANNER,
        kind: 'naming.registry.domain',
        site: ref,
        target: h.ascii,
        locator: 'registry',
        facts,
        evidence: [
          `${h.idn ? `${h.unicode} (${h.ascii})` : h.ascii}: ${site.kind}${parsed?.publicSuffix ? `, public suffix ${facts.publicSuffixUnicode}` : ''}${
            pDomain ? `, portal of division ${site.division}: ${portal!.code} at ${pDomain}` : ''
          } (registry ${where})`,
        ],
        observedAt,
      });
    }
  }
  return out;
}
