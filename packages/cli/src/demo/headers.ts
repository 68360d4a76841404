/**
 * HTTP security header problems planted in the demo world, and the headers
 * that keep the healthy sites healthy for the header rules.
 *
 * Every homepage gets a sound set of security headers (HSTS over HTTPS, a
 * Content-Security-Policy that allows the mandated CONAC badge and 找错
 * scripts, X-Frame-Options, nosniff, Referrer-Policy, CORP); the vhosts keep
 * any header another plant set. Nine sites that no other plant uses get one
 * of the scenarios of `@govscan/scanner-headers/scenarios` instead, built
 * around their own homepage.
 *
 * Call on the scenario `demoScenario()` returns, before `startWorld`, after
 * any plant that replaces a vhost wholesale.
 */
import type { Registry } from '@govscan/core';
import { GOOD_HEADERS, headerScenario } from '@govscan/testbed';
import type { HostSpec, Scenario, VhostSpec } from '@govscan/testbed';
import type { PlantedProblem } from '../demo-world.js';

interface Plant {
  code: string;
  scenario: string;
  how: string;
}

/** Sites the census, TLS and naming plants use are left alone. */
const PLANTS: Plant[] = [
  { code: '5118030001', scenario: 'missing-everything', how: 'no security header at all, and http:// serves the page instead of redirecting' },
  { code: '5118270005', scenario: 'csp-unsafe', how: "Content-Security-Policy with 'unsafe-inline' and 'unsafe-eval' in script-src" },
  { code: '5118000004', scenario: 'cookie-insecure', how: 'a JSESSIONID cookie without Secure, HttpOnly or SameSite' },
  { code: '5118000023', scenario: 'cors-echo', how: 'echoes any Origin in Access-Control-Allow-Origin with Access-Control-Allow-Credentials: true' },
  { code: '5118000016', scenario: 'mixed-active', how: 'the HTTPS homepage loads a script and a stylesheet over http://' },
  { code: '5118000008', scenario: 'version-banners', how: 'Server: Apache/2.4.29 (Ubuntu), X-Powered-By: PHP/5.6.40, X-AspNet-Version: 4.0.30319' },
  { code: '5118000029', scenario: 'gbk-mixed-passive', how: 'a GBK homepage (charset in <meta> only) that shows a banner image over http://' },
  { code: '5118000027', scenario: 'hsts-short', how: 'Strict-Transport-Security: max-age=86400' },
  { code: '5118000012', scenario: 'sri-missing', how: 'a third-party analytics script without integrity' },
];

/** The homepage vhost of a host: the HTTPS one, else the HTTP one when it serves a page rather than a redirect. */
function servingVhosts(h: HostSpec): VhostSpec[] {
  const out: VhostSpec[] = [];
  if (h.https) out.push(h.https);
  const home = h.http?.pages?.['/'];
  if (h.http && !(home?.redirect !== undefined)) out.push(h.http);
  return out;
}

/** Plant the header problems into `scenario` (mutated) and say what was planted. */
export function plantHeaders(scenario: Scenario, registry: Registry): PlantedProblem[] {
  const { 'Set-Cookie': _cookie, ...good } = GOOD_HEADERS;
  for (const h of scenario.hosts) {
    for (const v of servingVhosts(h)) {
      const sound: Record<string, string | string[]> = { ...good };
      if (v !== h.https) delete sound['Strict-Transport-Security'];
      v.headers = { ...sound, ...v.headers };
    }
  }
  const byName = new Map(scenario.hosts.map((h) => [h.name.toLowerCase(), h]));
  const planted: PlantedProblem[] = [];
  for (const p of PLANTS) {
    const site = registry.sites.find((s) => s.code === p.code);
    if (!site) continue;
    const name = new URL(site.urls[0]!).hostname.toLowerCase();
    const host = byName.get(name);
    const body = host?.https?.pages?.['/']?.body;
    if (!host || typeof body !== 'string') continue;
    const s = headerScenario(p.scenario);
    const built = s.build(name, { body, otherHost: 'www.yaan.gov.cn' });
    host.http = built.http;
    host.https = built.https;
    for (const ruleId of s.fires) planted.push({ code: p.code, seed: s.zh, ruleId, how: p.how });
  }
  return planted;
}
