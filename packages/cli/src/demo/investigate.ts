/**
 * The seed's counterfeit, in the simulated world: "本季度通过网友留言发现一例假冒网站".
 *
 * - `www.yaan.gov.cn.com`: a clone of the portal www.yaan.gov.cn (its site
 *   code, ICP and 公网安备 numbers and CONAC badge copied) with a login form
 *   that collects an ID-card number and a password;
 * - `yaan-gov.cn`: the same clone, cloaked: desktop Windows browsers (where an
 *   inspector looks) get a harmless "under construction" page, phones (the
 *   WeChat link a citizen taps) get the clone.
 *
 * Both resolve to 127.0.0.1, so investigating them needs --allow-private-targets.
 */
import type { Registry, Site } from '@govscan/core';
import { governmentHomepage, type HostSpec, type PageSpec, type Scenario } from '@govscan/testbed';

export const GENUINE_CODE = '5118000022';
export const COUNTERFEIT_HOST = 'www.yaan.gov.cn.com';
export const CLOAKING_HOST = 'yaan-gov.cn';

export interface InvestigateTarget {
  url: string;
  /** What the seed says, and what this variant adds. */
  seed: string;
  imitates: string;
  cloaking: boolean;
}

export const investigateTargets: InvestigateTarget[] = [
  { url: `http://${COUNTERFEIT_HOST}/`, seed: '通过网友留言发现一例假冒网站', imitates: GENUINE_CODE, cloaking: false },
  { url: `http://${CLOAKING_HOST}/`, seed: '假冒网站对检查者显示无害页面（仅对手机用户显示仿冒页面）', imitates: GENUINE_CODE, cloaking: true },
];

const LOGIN_FORM = `
  <div class="login" id="login">
    <h2>政务服务统一身份认证</h2>
    <p>根据省政务服务网统一要求，请于本周内完成实名认证，逾期将影响社保、公积金业务办理。</p>
    <form action="/collect.php" method="post">
      <label>身份证号 <input type="text" name="idcard"></label>
      <label>登录密码 <input type="password" name="password"></label>
      <label>手机号码 <input type="tel" name="mobile"></label>
      <button type="submit">立即认证</button>
    </form>
  </div>
`;

/** The clone: the genuine homepage as the counterfeiters copied it, plus their form. */
export function counterfeitPage(site: Site, now: Date): string {
  const genuineHost = new URL(site.urls[0]!).hostname;
  const html = governmentHomepage(
    { code: site.code, name: site.name, unit: site.unit, host: genuineHost, ...(site.icp ? { icp: site.icp } : {}), ...(site.psb ? { psb: site.psb } : {}), ...(site.contact ? { contact: site.contact } : {}) },
    { date: now },
  );
  return html.replace(/<body([^>]*)>/, `<body$1>${LOGIN_FORM}`);
}

const HARMLESS: PageSpec = {
  body: '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>网站建设中</title></head><body><h1>网站建设中</h1><p>敬请期待。</p></body></html>\n',
};

/** The counterfeit hosts, as testbed HostSpecs (HTTP only, as the seed's era had it). */
export function counterfeitHosts(registry: Registry, now = new Date()): HostSpec[] {
  const site = registry.sites.find((s) => s.code === GENUINE_CODE);
  if (!site) throw new Error(`the registry has no site ${GENUINE_CODE}`);
  const clone: PageSpec = { body: counterfeitPage(site, now), headers: { Server: 'nginx/1.10.3' } };
  const collected: PageSpec = { status: 302, redirect: '/' };
  return [
    { name: COUNTERFEIT_HOST, http: { pages: { '/': clone, '/collect.php': collected } }, https: null },
    { name: CLOAKING_HOST, http: { pages: { '/': { ...clone, byUserAgent: [{ match: 'Windows NT', page: HARMLESS }] }, '/collect.php': collected } }, https: null },
    { name: `www.${CLOAKING_HOST}`, http: { pages: { '/': { status: 301, redirect: `http://${CLOAKING_HOST}/` } } }, https: null },
  ];
}

/** Add the counterfeits to a demo scenario; returns what to investigate. */
export function plantCounterfeits(scenario: Scenario, registry: Registry, now = new Date()): InvestigateTarget[] {
  for (const h of counterfeitHosts(registry, now)) if (!scenario.hosts.some((x) => x.name === h.name)) scenario.hosts.push(h);
  return investigateTargets;
}
