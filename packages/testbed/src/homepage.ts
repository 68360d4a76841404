/**
 * Realistic Chinese government website homepages for tests and the demo.
 */
import { fnv1a } from './hash.js';
import { escapeHtml } from './html.js';

export interface SitePageInput {
  /** 网站标识码 (SiteIDCode), e.g. '5118000001'. */
  code: string;
  /** Site name, e.g. '雅安市人民政府'. */
  name: string;
  /** 主办单位, e.g. '雅安市人民政府办公室'. */
  unit: string;
  /** Domain, e.g. 'www.yaan.gov.cn'. */
  host: string;
  /** ICP 备案号, e.g. '蜀ICP备05003012号'. Omitted from the footer when absent. */
  icp?: string;
  /** 公网安备号, e.g. '川公网安备 51180202000101号'. Omitted from the footer when absent. */
  psb?: string;
  /** 联系电话. */
  contact?: string;
}

/** A link of the homepage's column nav. */
export interface HomepageColumn {
  href: string;
  title: string;
}

/** An item of the homepage's news list. */
export interface HomepageItem {
  title: string;
  href: string;
  /** As printed, e.g. `2018-06-06`. */
  date: string;
}

export interface HomepageOptions {
  /** The day of the newest news item (default: now). */
  date?: Date;
  /** The column nav (default: 要闻动态, 通知公告, … linking to `/col/<slug>/`). */
  columns?: HomepageColumn[];
  /** The news list (default: `homepageNewsItems(site, { date })`). */
  items?: HomepageItem[];
  /** Markup inserted after the news list, as is (not escaped). */
  extraHtml?: string;
}

const COLUMNS: [slug: string, title: string][] = [
  ['ywdt', '要闻动态'],
  ['tzgg', '通知公告'],
  ['zcwj', '政策文件'],
  ['zwgk', '政务公开'],
  ['zwfw', '政务服务'],
  ['hdjl', '互动交流'],
  ['zfxxgk', '政府信息公开'],
];

const NEWS_TITLES: ((unit: string, year: number) => string)[] = [
  (u) => `${u}召开常务会议 研究部署近期重点工作`,
  () => '关于开展安全生产隐患大排查大整治工作的通知',
  () => '关于公开征求《优化营商环境若干措施（征求意见稿）》意见的公告',
  (u, y) => `${u}${y - 1}年政府信息公开工作年度报告`,
  () => '全市防汛减灾工作推进会召开',
  () => '关于做好近期疫苗接种工作的通告',
  (_u, y) => `${y}年一季度经济运行情况新闻发布会举行`,
  () => '政府网站工作年度报表',
];

const DAY = 24 * 3600 * 1000;

/** YYYY-MM-DD in China Standard Time (UTC+8), whatever the local time zone. */
function cstDate(date: Date): { ymd: string; y: number; m: number; d: number } {
  const shifted = new Date(date.getTime() + 8 * 3600 * 1000);
  const y = shifted.getUTCFullYear();
  const m = shifted.getUTCMonth() + 1;
  const d = shifted.getUTCDate();
  return { ymd: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`, y, m, d };
}

/**
 * The CONAC (党政机关网站标识) badge script URL, shaped like
 * https://dcs.conac.cn/js/23/000/0000/60446925/CA230000000604469250001.js,
 * with the province and the 8-digit id derived from the site code.
 */
export function conacScriptUrl(code: string): string {
  const province = /^\d{2}/.test(code) ? code.slice(0, 2) : '10';
  const id = String(fnv1a(code) % 100_000_000).padStart(8, '0');
  return `https://dcs.conac.cn/js/${province}/000/0000/${id}/CA${province}0000000${id}0001.js`;
}

/** The default column nav: 要闻动态, 通知公告, 政策文件, … at `/col/<slug>/`. */
export function homepageColumns(): HomepageColumn[] {
  return COLUMNS.map(([slug, title]) => ({ href: `/col/${slug}/`, title }));
}

/** The default news list: 8 items, the newest on `date` (China time), then every three days. */
export function homepageNewsItems(site: Pick<SitePageInput, 'code' | 'unit'>, options: { date?: Date } = {}): HomepageItem[] {
  const date = options.date ?? new Date();
  return NEWS_TITLES.map((title, i) => {
    const day = cstDate(new Date(date.getTime() - i * 3 * DAY));
    const href = `/art/${day.y}/${day.m}/${day.d}/art_${1000 + i}_${(fnv1a(site.code + i) % 900000) + 100000}.html`;
    return { title: title(site.unit, cstDate(date).y), href, date: day.ymd };
  });
}

/** A full HTML5 (UTF-8) homepage of a Chinese government website. */
export function governmentHomepage(site: SitePageInput, options: HomepageOptions = {}): string {
  const e = escapeHtml;
  const date = options.date ?? new Date();
  const nav = (options.columns ?? homepageColumns()).map((c) => `      <li><a href="${e(c.href)}">${e(c.title)}</a></li>`).join('\n');
  const news = (options.items ?? homepageNewsItems(site, { date }))
    .map((it) => `        <li><a href="${e(it.href)}" target="_blank">${e(it.title)}</a><span class="date">${e(it.date)}</span></li>`)
    .join('\n');
  const footerLines = [
    `      <p>主办单位：${e(site.unit)}${site.contact ? `　联系电话：${e(site.contact)}` : ''}</p>`,
    `      <p>网站标识码：${e(site.code)}${
      site.icp ? `　<a href="https://beian.miit.gov.cn/" target="_blank" rel="noopener">${e(site.icp)}</a>` : ''
    }</p>`,
  ];
  if (site.psb) {
    const record = site.psb.replace(/\D/g, '');
    footerLines.push(
      `      <p><a href="https://www.beian.gov.cn/portal/registerSystemInfo?recordcode=${e(record)}" target="_blank" rel="noopener"><img src="/images/gaba.png" alt="">${e(site.psb)}</a></p>`,
    );
  }
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta http-equiv="X-UA-Compatible" content="IE=edge">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${e(site.name)}</title>
  <meta name="SiteName" content="${e(site.name)}">
  <meta name="SiteDomain" content="${e(site.host)}">
  <meta name="SiteIDCode" content="${e(site.code)}">
  <meta name="ColumnName" content="首页">
  <meta name="ColumnType" content="首页">
  <meta name="Keywords" content="${e(site.name)},政务公开,政务服务">
  <link rel="stylesheet" href="/css/index.css">
</head>
<body>
  <div class="header">
    <div class="logo"><a href="/"><img src="/images/logo.png" alt="${e(site.name)}"></a></div>
    <div class="search"><form action="/search/" method="get"><input type="text" name="q" placeholder="请输入关键词"><button type="submit">搜索</button></form></div>
  </div>
  <div class="nav">
    <ul>
      <li><a href="/">首页</a></li>
${nav}
    </ul>
  </div>
  <div class="main">
    <div class="news">
      <h2><a href="/col/ywdt/">要闻动态</a></h2>
      <ul class="list">
${news}
      </ul>
    </div>
${options.extraHtml ? `${options.extraHtml}\n` : ''}  </div>
  <div class="footer">
    <div class="conac"><script type="text/javascript" src="${e(conacScriptUrl(site.code))}"></script></div>
    <div class="info">
${footerLines.join('\n')}
    </div>
    <div class="jiucuo"><script id="_jiucuo_" sitecode="${e(site.code)}" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></div>
  </div>
</body>
</html>
`;
}
