/**
 * Header scenarios for the simulated world (`@govscan/testbed`): a
 * well-configured government site, and the same site with one thing wrong
 * for each rule of rules/headers.yaml. The tests, the benchmark and the demo
 * build their worlds from these, so all three look at the same header sets.
 */
import type { HostSpec, PageSpec, VhostSpec } from './types.js';

/** The CONAC badge script every government site must embed (党政机关网站标识). */
export const CONAC_SCRIPT = 'https://dcs.conac.cn/js/51/000/0000/12345678/CA510000000123456780001.js';

export const GOOD_CSP =
  "default-src 'none'; script-src 'self' https://cdn.example.com https://dcs.conac.cn https://zfwzgl.www.gov.cn; style-src 'self'; img-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'";

/** What a well-configured HTTPS homepage sends. */
export const GOOD_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'Content-Security-Policy': GOOD_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  Server: 'nginx',
  'Set-Cookie': 'SESSIONID=s3cr3t-session-value; Path=/; Secure; HttpOnly; SameSite=Lax',
};

/** A small homepage: same-origin script and style, a third-party library with integrity, the CONAC badge. */
export function testPage(host: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>雅安市测试网站</title>
<link rel="stylesheet" href="/css/site.css">
<script src="/js/site.js"></script>
<script src="https://cdn.example.com/lib.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin="anonymous"></script>
</head><body><h1>${host}</h1><img src="/images/logo.png" alt="">
<div class="conac"><script src="${CONAC_SCRIPT}"></script></div>
</body></html>
`;
}

type Vhost = VhostSpec & { headers: Record<string, string | string[]>; pages: Record<string, PageSpec> };

interface BuildOptions {
  /** The homepage HTML (default: `testPage(host)`). */
  body?: string;
  /** Another host of the world, for the redirect that goes through another host first. */
  otherHost?: string;
}

export interface HeaderScenario {
  id: string;
  /** The problem in plain Chinese. */
  zh: string;
  /** Rules of rules/headers.yaml that fire on it (http.grade aside). */
  fires: string[];
  build(host: string, options?: BuildOptions): HostSpec;
}

/** Insert HTML before </body> (or at the end). */
function insert(body: string, html: string): string {
  const i = body.lastIndexOf('</body>');
  return i === -1 ? body + html : body.slice(0, i) + html + body.slice(i);
}

/** A well-configured site with `change` applied to its HTTPS and HTTP vhosts. */
function scenario(id: string, zh: string, fires: string[], change: (https: Vhost, http: Vhost, host: string, o: BuildOptions) => void = () => undefined): HeaderScenario {
  return {
    id,
    zh,
    fires,
    build(host, o = {}) {
      const body = o.body ?? testPage(host);
      const https: Vhost = { headers: { ...GOOD_HEADERS }, pages: { '/': { body } } };
      const http: Vhost = { headers: {}, pages: { '/': { status: 301, redirect: `https://${host}/` } } };
      change(https, http, host, { ...o, body });
      return { name: host, http, https };
    },
  };
}

const drop = (h: Record<string, unknown>, ...names: string[]): void => names.forEach((n) => delete h[n]);
const withBody = (v: Vhost, body: string, page: Partial<PageSpec> = {}): void => {
  v.pages = { '/': { ...page, body } };
};

export const HEADER_SCENARIOS: readonly HeaderScenario[] = [
  scenario('good', '配置良好', []),
  scenario('no-https', 'HTTP 未跳转 HTTPS', ['http.redirect.no-https'], (_s, h, _host, o) => withBody(h, o.body!)),
  scenario('no-https-via-other-host', 'HTTP 先跳转到其他主机', ['http.redirect.no-https'], (_s, h, host, o) => {
    h.pages = { '/': { status: 301, redirect: `https://${o.otherHost ?? `www.${host}`}/` } };
  }),
  scenario('hsts-missing', '未启用 HSTS', ['http.hsts.missing'], (s) => drop(s.headers, 'Strict-Transport-Security')),
  scenario('hsts-short', 'HSTS 有效期仅 1 天', ['http.hsts.short'], (s) => (s.headers['Strict-Transport-Security'] = 'max-age=86400')),
  scenario('csp-missing', '未设置内容安全策略', ['http.csp.missing'], (s) => drop(s.headers, 'Content-Security-Policy')),
  scenario('csp-unsafe', "内容安全策略允许 'unsafe-inline' 和 'unsafe-eval'", ['http.csp.unsafe'], (s) => {
    s.headers['Content-Security-Policy'] = "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' https://cdn.example.com https://dcs.conac.cn https://zfwzgl.www.gov.cn; object-src 'none'; frame-ancestors 'self'";
  }),
  scenario('csp-no-object-src', '内容安全策略未限制 object-src', ['http.csp.unsafe'], (s) => {
    s.headers['Content-Security-Policy'] = "script-src 'self' https://cdn.example.com https://dcs.conac.cn https://zfwzgl.www.gov.cn; frame-ancestors 'self'";
  }),
  scenario('frame-options-missing', '未防护点击劫持', ['http.frame-options.missing'], (s) => {
    drop(s.headers, 'X-Frame-Options');
    s.headers['Content-Security-Policy'] = GOOD_CSP.replace("frame-ancestors 'self'; ", '');
  }),
  scenario('nosniff-missing', '未设置 X-Content-Type-Options', ['http.nosniff.missing'], (s) => drop(s.headers, 'X-Content-Type-Options')),
  scenario('referrer-missing', '未设置 Referrer-Policy', ['http.referrer-policy.missing'], (s) => drop(s.headers, 'Referrer-Policy')),
  scenario('referrer-unsafe', 'Referrer-Policy 为 unsafe-url', ['http.referrer-policy.missing'], (s) => (s.headers['Referrer-Policy'] = 'unsafe-url')),
  scenario('cookie-insecure', '会话 Cookie 缺少 Secure、HttpOnly、SameSite', ['http.cookie.insecure'], (s) => {
    s.headers['Set-Cookie'] = ['JSESSIONID=TOPSECRET-cookie-value-42; Path=/', GOOD_HEADERS['Set-Cookie']!];
  }),
  scenario('cors-echo', '跨域资源共享回显任意来源并允许携带凭证', ['http.cors.credentials-any-origin'], (s) => {
    s.corsEchoOrigin = true;
    s.headers['Access-Control-Allow-Credentials'] = 'true';
  }),
  scenario('version-banners', '响应头暴露 Apache、PHP、ASP.NET 版本号', ['http.server.version-disclosure'], (s) => {
    Object.assign(s.headers, { Server: 'Apache/2.4.29 (Ubuntu)', 'X-Powered-By': 'PHP/5.6.40', 'X-AspNet-Version': '4.0.30319' });
  }),
  scenario('mixed-active', 'HTTPS 页面以 HTTP 加载脚本和样式表', ['http.mixed-content'], (s, _h, host, o) => {
    withBody(s, insert(o.body!, `<script src="http://${host}/js/old.js"></script><link rel="stylesheet" href="http://${host}/css/old.css">\n`));
  }),
  scenario('gbk-mixed-passive', 'GBK 编码页面以 HTTP 加载图片', ['http.mixed-content.passive'], (s, _h, host, o) => {
    const body = insert(o.body!, `<p>雅安市人民政府欢迎您</p><img src="http://${host}/图片/横幅.jpg" alt="横幅">\n`).replace(/<meta charset="utf-8">/i, '<meta charset="gb2312">');
    withBody(s, body, { charset: 'gbk', contentType: 'text/html' });
  }),
  scenario('sri-missing', '第三方脚本未使用完整性校验', ['http.sri.missing'], (s, _h, _host, o) => {
    withBody(s, insert(o.body!, '<script src="https://cdn.example.com/analytics.js"></script>\n'));
  }),
  {
    id: 'missing-everything',
    zh: '未配置任何安全响应头',
    fires: ['http.redirect.no-https', 'http.hsts.missing', 'http.csp.missing', 'http.frame-options.missing', 'http.nosniff.missing', 'http.referrer-policy.missing'],
    build: (host, o = {}) => ({ name: host, http: { pages: { '/': { body: o.body ?? testPage(host) } } }, https: { pages: { '/': { body: o.body ?? testPage(host) } } } }),
  },
];

export function headerScenario(id: string): HeaderScenario {
  const s = HEADER_SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`no header scenario ${id}`);
  return s;
}
