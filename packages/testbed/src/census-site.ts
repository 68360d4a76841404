/**
 * Test fixture: a complete small government site for the testbed — a
 * homepage with its columns, every column page, every article and image —
 * whose freshness and links can be bent one at a time.
 */
import { governmentHomepage, type HomepageItem } from './homepage.js';
import { escapeHtml as e } from './html.js';
import type { PageSpec } from './types.js';

const DAY = 24 * 3600 * 1000;

export interface TestColumn {
  slug: string;
  title: string;
  /** ColumnType meta of the column page. */
  type?: string;
  /** Age in days of the newest item; null: the column is empty. */
  ageDays?: number | null;
  /** Items listed (default 3). */
  items?: number;
}

export interface TestSiteOptions {
  code: string;
  name: string;
  host: string;
  now: Date;
  /** Age in days of the newest homepage item (default 0). */
  homeAgeDays?: number;
  columns?: TestColumn[];
  /** Homepage items replaced or added (their article pages are created unless `missing`). */
  items?: (HomepageItem & { missing?: boolean; body?: string })[];
  extraHtml?: string;
}

export const PNG = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64'));

export function ymd(at: Date): string {
  return new Date(at.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

export function articlePage(title: string, body = `${title}。本文为测试用正文内容，介绍有关工作的进展情况和下一步安排。`): string {
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${e(title)}</title><meta name="ArticleTitle" content="${e(title)}"></head>
<body><div class="header"><a href="/">首页</a></div><div class="article"><h1>${e(title)}</h1><p>${e(body)}</p></div><div class="footer"><p>版权所有</p></div></body></html>`;
}

export function columnPage(title: string, type: string, items: HomepageItem[]): string {
  const list = items.map((it) => `<li><a href="${e(it.href)}">${e(it.title)}</a><span class="date">${e(it.date)}</span></li>`).join('\n');
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${e(title)}</title><meta name="ColumnName" content="${e(title)}"><meta name="ColumnType" content="${e(type)}"></head>
<body><div class="header"><a href="/">首页</a></div><div class="position">当前位置：<a href="/">首页</a> &gt; ${e(title)}</div>
<div class="main">${items.length ? `<ul class="list">\n${list}\n</ul>` : ''}</div><div class="footer"><p>版权所有</p></div></body></html>`;
}

export const DEFAULT_TEST_COLUMNS: TestColumn[] = [
  { slug: 'ywdt', title: '要闻动态' },
  { slug: 'tzgg', title: '通知公告' },
  { slug: 'zcwj', title: '政策文件' },
];

/** The pages of a complete, healthy site (unless bent by the options). */
export function testSite(o: TestSiteOptions): Record<string, PageSpec> {
  const pages: Record<string, PageSpec> = {};
  const columns = o.columns ?? DEFAULT_TEST_COLUMNS;
  const homeDate = new Date(o.now.getTime() - (o.homeAgeDays ?? 0) * DAY);
  const items: (HomepageItem & { missing?: boolean; body?: string })[] = o.items ?? [0, 1, 2].map((i) => ({ title: `${o.name}召开第${i + 1}次专题会议研究部署重点工作`, href: `/art/home/${i}.html`, date: ymd(new Date(homeDate.getTime() - i * 2 * DAY)) }));
  for (const it of items) if (!it.missing && it.href.startsWith('/')) pages[it.href] = { body: articlePage(it.title, it.body) };
  for (const c of columns) {
    const list: HomepageItem[] =
      c.ageDays === null
        ? []
        : Array.from({ length: c.items ?? 3 }, (_, i) => ({ title: `${c.title}第${i + 1}条信息的标题文字`, href: `/art/${c.slug}/${i}.html`, date: ymd(new Date(o.now.getTime() - ((c.ageDays ?? 0) + i * 3) * DAY)) }));
    pages[`/col/${c.slug}/`] = { body: columnPage(c.title, c.type ?? c.title, list) };
    for (const it of list) pages[it.href] = { body: articlePage(it.title) };
  }
  pages['/'] = {
    body: governmentHomepage(
      { code: o.code, name: o.name, unit: o.name, host: o.host },
      { date: o.now, columns: columns.map((c) => ({ href: `/col/${c.slug}/`, title: c.title })), items, ...(o.extraHtml ? { extraHtml: o.extraHtml } : {}) },
    ),
  };
  pages['/images/logo.png'] = { body: PNG, contentType: 'image/png' };
  return pages;
}
