/**
 * The census (网站普查) problems of the Ya'an 2018 Q2 table planted in the
 * demo world, and the pages that keep the healthy sites healthy for the
 * census rules: every column the homepage links to, with fresh dated lists,
 * every article, every image — so that only what is planted is found.
 *
 * Call last, on the scenario `demoScenario()` returns after the other plants
 * (TLS, headers, naming…): it keeps whatever homepage another plant wrote
 * and only adds pages, string-edits the testbed homepage where a census
 * problem needs it, and adds the pages any same-site link or image of a
 * homepage would otherwise miss. With `{ fixed: true }` nothing is planted
 * and the availability problems `demoScenario()` planted (the reset, the
 * slow homepage) are healed too: the world of the next quarter, after
 * rectification.
 */
import type { Registry, Site } from '@govscan/core';
import { columnLinks, extractPage } from '@govscan/scanner-census';
import { escapeHtml as e, governmentHomepage, homepageNewsItems, type HomepageItem, type HostSpec, type PageSpec, type Scenario, type VhostSpec } from '@govscan/testbed';
import type { PlantedProblem } from '../demo-world.js';

const DAY = 24 * 3600 * 1000;
const PNG = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64'));

/** The column every site of the seed opened for reprinting State Council and provincial information. */
const REPRINT_COLUMN = { slug: 'zyxxzz', title: '重要信息转载' };
/** The external site the 档案局 links to in its content. */
export const EXTERNAL_HOST = 'www.daj-ziliao.example.com';

type PlantKind =
  | { kind: 'homepage-stale'; ageDays: number }
  | { kind: 'column-stale'; slug: string; ageDays: number }
  | { kind: 'duplicate-title' }
  | { kind: 'duplicate-article' }
  | { kind: 'duplicate-repost' }
  | { kind: 'broken-image' }
  | { kind: 'broken-link' }
  | { kind: 'external-link' };

interface Plant {
  code: string;
  seed: string;
  ruleId: string;
  how: string;
  plant: PlantKind;
}

/** What is planted, on the sites the seed's table lists for each problem. */
export const CENSUS_PLANTS: readonly Plant[] = [
  { code: '5118250001', seed: '头条推荐更新不及时', ruleId: 'census.homepage.stale', how: 'the newest item of the homepage list is 20 days old', plant: { kind: 'homepage-stale', ageDays: 20 } },
  { code: '5118000009', seed: '周末信息更新不及时', ruleId: 'census.homepage.stale', how: 'the newest item of the homepage list is 18 days old', plant: { kind: 'homepage-stale', ageDays: 18 } },
  { code: '5118030001', seed: '信息重复发布', ruleId: 'census.content.duplicate', how: 'one news title listed twice on the homepage', plant: { kind: 'duplicate-title' } },
  { code: '5118260001', seed: '信息重复发布', ruleId: 'census.content.duplicate', how: 'one news title listed twice on the homepage', plant: { kind: 'duplicate-title' } },
  { code: '5118240001', seed: '信息重复发布', ruleId: 'census.content.duplicate', how: 'one article published at two URLs of the homepage list', plant: { kind: 'duplicate-article' } },
  { code: '5118000017', seed: '信息重复发布', ruleId: 'census.content.duplicate', how: 'a homepage article published again in 要闻动态 at another URL', plant: { kind: 'duplicate-repost' } },
  { code: '5118270005', seed: '图片没有显示', ruleId: 'census.images.broken', how: 'the homepage picture news shows an image that is not on the server (404)', plant: { kind: 'broken-image' } },
  { code: '5118220036', seed: '链接无法打开', ruleId: 'census.links.broken', how: 'a homepage news item links to an article that was deleted (404)', plant: { kind: 'broken-link' } },
  { code: '5118000031', seed: '信息存在外部链接', ruleId: 'census.links.external', how: `the homepage content links to ${EXTERNAL_HOST}`, plant: { kind: 'external-link' } },
  { code: '5118000004', seed: '动态栏目更新不及时', ruleId: 'census.column.stale', how: '要闻动态 last updated 25 days ago', plant: { kind: 'column-stale', slug: 'ywdt', ageDays: 25 } },
  { code: '5118000015', seed: '动态栏目更新不及时', ruleId: 'census.column.stale', how: '要闻动态 last updated 30 days ago', plant: { kind: 'column-stale', slug: 'ywdt', ageDays: 30 } },
  { code: '5118000003', seed: '动态栏目更新不及时', ruleId: 'census.column.stale', how: '要闻动态 last updated 20 days ago', plant: { kind: 'column-stale', slug: 'ywdt', ageDays: 20 } },
  ...['5118000030', '5118000028', '5118000006', '5118000007', '5118000020'].map((code) => ({ code, seed: '重要转载信息栏目更新不及时', ruleId: 'census.column.stale', how: '重要信息转载 last updated 40 days ago', plant: { kind: 'column-stale', slug: REPRINT_COLUMN.slug, ageDays: 40 } as PlantKind })),
  { code: '5118000033', seed: '转载信息更新不及时', ruleId: 'census.column.stale', how: '重要信息转载 last updated 35 days ago', plant: { kind: 'column-stale', slug: REPRINT_COLUMN.slug, ageDays: 35 } },
  { code: '5118000016', seed: '周末转载信息更新不及时', ruleId: 'census.column.stale', how: '重要信息转载 last updated 16 days ago', plant: { kind: 'column-stale', slug: REPRINT_COLUMN.slug, ageDays: 16 } },
];

function ymd(at: Date): string {
  return new Date(at.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

function articlePage(site: Site, title: string, date: string): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>${e(title)}_${e(site.name)}</title><meta name="ArticleTitle" content="${e(title)}"><meta name="PubDate" content="${e(date)}"></head>
<body>
<div class="header"><a href="/">${e(site.name)}</a></div>
<div class="position">当前位置：<a href="/">首页</a></div>
<div class="article"><h1>${e(title)}</h1><p class="info">发布时间：${e(date)}　来源：${e(site.unit)}</p>
<p>${e(title)}。${e(site.unit)}按照有关工作部署，认真组织落实，现将有关情况公布如下。</p>
<p>下一步，${e(site.unit)}将继续做好相关工作，及时公开工作进展情况，接受社会监督。</p></div>
<div class="footer"><p>主办单位：${e(site.unit)}</p></div>
</body>
</html>
`;
}

function columnPage(site: Site, title: string, items: HomepageItem[]): string {
  const list = items.map((it) => `<li><a href="${e(it.href)}" target="_blank">${e(it.title)}</a><span class="date">${e(it.date)}</span></li>`).join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>${e(title)}_${e(site.name)}</title><meta name="SiteName" content="${e(site.name)}"><meta name="ColumnName" content="${e(title)}"><meta name="ColumnType" content="${e(title)}"></head>
<body>
<div class="header"><a href="/">${e(site.name)}</a></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; ${e(title)}</div>
<div class="main"><ul class="list">
${list}
</ul></div>
<div class="footer"><p>主办单位：${e(site.unit)}</p></div>
</body>
</html>
`;
}

/** Column items: three, the newest `ageDays` old, then every three days. */
function columnItems(slug: string, title: string, now: Date, ageDays: number): HomepageItem[] {
  return [0, 1, 2].map((i) => {
    const at = new Date(now.getTime() - (ageDays + i * 3) * DAY);
    return { title: `${title}：${['市政府召开专题会议研究部署重点工作', '关于进一步做好有关工作的通知', '有关负责同志调研指导工作'][i]!}（${ymd(at)}）`, href: `/art/${slug}/${ymd(at).replace(/-/g, '')}_${i + 1}.html`, date: ymd(at) };
  });
}

/** Replace `from` once in `html`; null when it is not there. */
function edit(html: string, from: string | RegExp, to: string): string | null {
  const next = html.replace(from, to);
  return next === html ? null : next;
}

const LIST_END = /(<ul class="list">[\s\S]*?)(\n\s*<\/ul>)/;

function addItems(html: string, items: HomepageItem[]): string | null {
  const li = items.map((it) => `\n        <li><a href="${e(it.href)}" target="_blank">${e(it.title)}</a><span class="date">${e(it.date)}</span></li>`).join('');
  return edit(html, LIST_END, `$1${li}$2`);
}

function beforeFooter(html: string, block: string): string | null {
  return edit(html, /(\n\s*<div class="footer">)/, `\n${block}$1`);
}

/** The site's serving vhost for a scheme: https, or http unless it only redirects. */
function vhostFor(host: HostSpec, scheme: string): VhostSpec | null {
  return (scheme === 'https:' ? host.https : host.http) ?? null;
}

function homepageInput(site: Site, host: string) {
  return { code: site.code, name: site.name, unit: site.unit, host, ...(site.icp ? { icp: site.icp } : {}), ...(site.psb ? { psb: site.psb } : {}), ...(site.contact ? { contact: site.contact } : {}) };
}

/** The pages outside the registry that every homepage links to, so that those links open. */
function ensureSharedHosts(scenario: Scenario): void {
  const have = new Set(scenario.hosts.map((h) => h.name.toLowerCase()));
  const add = (h: HostSpec): void => {
    if (!have.has(h.name)) scenario.hosts.push(h);
  };
  const page = (title: string): PageSpec => ({ body: `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1></body></html>` });
  add({ name: 'beian.miit.gov.cn', https: { pages: { '/': page('ICP/IP地址/域名信息备案管理系统') } }, http: { pages: { '/': page('ICP/IP地址/域名信息备案管理系统') } } });
  add({ name: 'www.beian.gov.cn', https: { pages: { '/': page('全国互联网安全管理服务平台'), '/portal/registerSystemInfo': page('备案信息') } } });
  add({ name: EXTERNAL_HOST, http: { pages: { '/': page('档案资料网') } }, https: null });
}

/**
 * Plant the census problems into `scenario` (mutated) and say what was
 * planted; with `fixed`, plant nothing and heal the availability plants too.
 */
export function plantCensus(scenario: Scenario, registry: Registry, now: Date = new Date(), options: { fixed?: boolean } = {}): PlantedProblem[] {
  const byName = new Map(scenario.hosts.map((h) => [h.name.toLowerCase(), h]));
  ensureSharedHosts(scenario);
  const planted: PlantedProblem[] = [];
  for (const site of registry.sites) {
    const url = new URL(site.urls[0]!);
    const host = byName.get(url.hostname.toLowerCase());
    if (!host) continue;
    const plant = options.fixed ? undefined : CENSUS_PLANTS.find((p) => p.code === site.code);
    const v = vhostFor(host, url.protocol);
    if (!v) continue;
    v.pages ??= {};

    // The availability plants of demoScenario(): healed in the fixed world; the slow one kept to the homepage,
    // so that the census's reading of the other pages does not wait 5.6 s a page.
    for (const x of [host.http, host.https]) {
      if (!x?.behaviour) continue;
      if (options.fixed) delete x.behaviour;
      else if ('delayMs' in x.behaviour && x === v) {
        const home = v.pages['/'];
        if (home) home.behaviour = x.behaviour;
        delete x.behaviour;
      }
    }
    const home = v.pages['/'];
    // The homepage of 荥经县 (a 502 in demoScenario) is now a working site whose links fail, as the seed says.
    if (!home || (home.status !== undefined && home.status >= 500) || (options.fixed && home.status !== undefined && home.status >= 400)) {
      v.pages['/'] = { body: governmentHomepage(homepageInput(site, url.hostname), { date: now }) };
    }
    const page = v.pages['/']!;
    if (typeof page.body !== 'string') continue;
    let body = page.body;

    // Every site has the 重要信息转载 column (the seed's circular says all of them opened one).
    body = edit(body, /(<li><a href="\/col\/zfxxgk\/">[^<]*<\/a><\/li>)/, `$1\n      <li><a href="/col/${REPRINT_COLUMN.slug}/">${REPRINT_COLUMN.title}</a></li>`) ?? body;

    const missing = new Set<string>();
    const copies: [from: string, to: string][] = [];
    const columnAge = new Map<string, number>();
    let ok = true;
    const items = homepageNewsItems(site, { date: now });
    switch (plant?.plant.kind) {
      case 'homepage-stale': {
        const old = homepageNewsItems(site, { date: new Date(now.getTime() - plant.plant.ageDays * DAY) });
        const list = old.map((it) => `        <li><a href="${e(it.href)}" target="_blank">${e(it.title)}</a><span class="date">${e(it.date)}</span></li>`).join('\n');
        const next = edit(body, /(<ul class="list">\n)[\s\S]*?(\n\s*<\/ul>)/, `$1${list}$2`);
        ok = next !== null;
        body = next ?? body;
        break;
      }
      case 'duplicate-title': {
        const first = items[1]!;
        const next = addItems(body, [{ title: first.title, href: first.href.replace(/\.html$/, '_1.html'), date: first.date }]);
        ok = next !== null;
        body = next ?? body;
        break;
      }
      case 'duplicate-article': {
        const first = items[4]!;
        const again = { title: `转发：${first.title}`, href: first.href.replace(/\.html$/, '_zf.html'), date: first.date };
        const next = addItems(body, [again]);
        ok = next !== null;
        body = next ?? body;
        copies.push([first.href, again.href]);
        break;
      }
      case 'duplicate-repost':
        copies.push([items[0]!.href, '/art/ywdt/repost.html']);
        break;
      case 'broken-image': {
        const next = beforeFooter(body, `  <div class="pic"><h2>图片新闻</h2><a href="${e(items[0]!.href)}"><img src="/images/news/${ymd(now).replace(/-/g, '')}01.jpg" alt="${e(items[0]!.title)}"></a></div>`);
        ok = next !== null;
        body = next ?? body;
        missing.add(`/images/news/${ymd(now).replace(/-/g, '')}01.jpg`);
        break;
      }
      case 'broken-link': {
        const gone = { title: '关于做好近期重点工作的通知（已撤稿）', href: `/art/${ymd(now).slice(0, 4)}/deleted/art_9999_1.html`, date: ymd(new Date(now.getTime() - DAY)) };
        const next = addItems(body, [gone]);
        ok = next !== null;
        body = next ?? body;
        missing.add(gone.href);
        break;
      }
      case 'external-link': {
        const next = beforeFooter(body, `  <div class="links"><h2>资料链接</h2><a href="http://${EXTERNAL_HOST}/">档案资料网</a></div>`);
        ok = next !== null;
        body = next ?? body;
        break;
      }
      case 'column-stale':
        columnAge.set(plant.plant.slug, plant.plant.ageDays);
        break;
      default:
    }
    page.body = body;
    if (plant && ok) planted.push({ code: site.code, seed: plant.seed, ruleId: plant.ruleId, how: plant.how });

    // Complete the site: every same-site link and image of the homepage resolves, every column lists fresh items.
    const sameSite = (u: string): boolean => new URL(u).hostname.toLowerCase() === url.hostname.toLowerCase();
    const extracted = extractPage(body, url.href, { y: 2000, m: 1, d: 1 });
    const columns = columnLinks(extracted, url.href, sameSite, 50);
    const put = (u: string, spec: PageSpec): void => {
      const target = new URL(u);
      const vh = vhostFor(host, target.protocol);
      if (!vh) return;
      vh.pages ??= {};
      const key = target.pathname + target.search;
      if (missing.has(target.pathname) || vh.pages[key] || vh.pages[target.pathname]) return;
      vh.pages[key] = spec;
    };
    for (const c of columns) {
      const slug = /\/col\/([^/]+)\//.exec(new URL(c.url).pathname)?.[1] ?? 'col';
      const list = columnItems(slug, c.name, now, columnAge.get(slug) ?? 1);
      if (plant?.plant.kind === 'duplicate-repost' && slug === 'ywdt') list.unshift({ title: items[0]!.title, href: '/art/ywdt/repost.html', date: items[0]!.date });
      put(c.url, { body: columnPage(site, c.name, list) });
      for (const it of list) put(new URL(it.href, url).href, { body: articlePage(site, it.title, it.date) });
    }
    for (const l of extracted.links) {
      if (!sameSite(l.url) || columns.some((c) => c.url === l.url)) continue;
      const it = items.find((x) => new URL(x.href, url).href === l.url);
      put(l.url, { body: articlePage(site, l.text || site.name, it?.date ?? ymd(now)) });
    }
    for (const img of extracted.images) if (sameSite(img.url)) put(img.url, { body: PNG, contentType: 'image/png' });
    for (const [from, to] of copies) {
      const src = v.pages[from];
      if (src) v.pages[to] = { ...src };
    }
  }
  return planted;
}
