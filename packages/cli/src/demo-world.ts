import { fileURLToPath } from 'node:url';
import type { Registry, Site } from '@govscan/core';
import { governmentHomepage, type HostSpec, type Scenario, type VhostSpec } from '@govscan/testbed';
import { plantCensus } from './demo/census.js';
import { plantHeaders } from './demo/headers.js';
import { plantNaming } from './demo/naming.js';
import { plantTls } from './demo/tls.js';

/** The example registry the demo scans. */
export const demoRegistryPath = fileURLToPath(new URL('../../../examples/yaan/registry.yaml', import.meta.url));

/** A problem planted in the demo world, and the rule that must find it. */
export interface PlantedProblem {
  code: string;
  /** The problem as the seed's 汇总表 words it. */
  seed: string;
  ruleId: string;
  how: string;
}

/** What the reachability checks find broken in the demo world, mirroring the 2018 Q2 census table. */
export const plantedProblems: PlantedProblem[] = [
  { code: '5118260001', seed: '网站速度较慢', ruleId: 'census.slow', how: 'every page answers after 5.6 s' },
  { code: '5118000014', seed: '链接无法打开', ruleId: 'census.unreachable', how: 'the server resets every connection' },
];

function vhost(site: Site, host: string, now: Date): VhostSpec {
  const body = governmentHomepage(
    { code: site.code, name: site.name, unit: site.unit, host, ...(site.icp ? { icp: site.icp } : {}), ...(site.psb ? { psb: site.psb } : {}), ...(site.contact ? { contact: site.contact } : {}) },
    { date: now },
  );
  return { pages: { '/': { body } } };
}

/**
 * The simulated Ya'an world: every registered host served over HTTP and (for
 * the sites registered with an https URL) HTTPS, http redirecting to https,
 * and the planted problems above.
 */
export function demoScenario(registry: Registry, now = new Date()): Scenario {
  const hosts: HostSpec[] = [];
  for (const site of registry.sites) {
    const planted = plantedProblems.find((p) => p.code === site.code);
    for (const u of site.urls) {
      const url = new URL(u);
      const secure = site.urls.some((x) => x.startsWith('https:') && new URL(x).hostname === url.hostname);
      const page = vhost(site, url.hostname, now);
      const spec: HostSpec = {
        name: url.hostname,
        http: secure ? { pages: { '/': { status: 301, redirect: `https://${url.hostname}/` } } } : page,
        https: secure ? page : null,
      };
      if (planted?.ruleId === 'census.slow') {
        // The homepage itself is slow; the http → https redirect in front of it is not.
        const home = spec.https ?? spec.http;
        if (home) home.behaviour = { delayMs: 5600 };
      } else if (planted?.how.includes('resets')) {
        for (const v of [spec.http, spec.https]) if (v) v.behaviour = { reset: true };
      } else if (planted?.how.includes('502')) {
        const bad: VhostSpec = { pages: { '/': { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' } } };
        if (spec.https) spec.https = bad;
        else spec.http = bad;
      }
      if (!hosts.some((h) => h.name === spec.name)) hosts.push(spec);
    }
  }
  return { name: 'yaan-2018q2', hosts };
}

/**
 * The whole demo world: the sites, the reachability problems above, and each
 * scanner's planted problems. Returns the scenario and every planted problem.
 */
export function demoWorld(registry: Registry, now = new Date(), options: { fixed?: boolean } = {}): { scenario: Scenario; planted: PlantedProblem[] } {
  const scenario = demoScenario(registry, now);
  // Order matters: naming edits homepages, TLS sets certificates, headers sets every vhost's
  // headers, and the census planter goes last: it keeps the others' homepages and adds every page they link to.
  // With `fixed` (the next quarter) the census problems and the availability ones are rectified;
  // the naming, TLS and header problems are left as they were, so the diff shows both kinds.
  const planted = [
    ...(options.fixed ? [] : plantedProblems),
    ...plantNaming(scenario, registry),
    ...plantTls(scenario, registry),
    ...plantHeaders(scenario, registry),
    ...plantCensus(scenario, registry, now, { fixed: options.fixed ?? false }),
  ];
  return { scenario, planted };
}
