/**
 * What the census reads off one page: its title and column metadata, the
 * lists of dated items, every link and image (resolved the way a browser
 * would, `<base href>` included), and a fingerprint of its content text.
 *
 * Everything here is bounded: pages with 10,000 links, lists nested
 * thousands deep or megabytes of text cost a capped amount of work, and
 * nothing recurses over the DOM.
 */
import { createHash } from 'node:crypto';
import { cutDeepNesting, parseHtml, type AnyNode, type Element } from '@govscan/html';
import { findDate, findTrailingDate, type CalendarDate, type FoundDate } from './dates.js';

export interface ExtractLimits {
  /** `a[href]` and `img[src]` elements read per page; the rest are counted, not read. */
  maxLinks: number;
  /** List items read per page. */
  maxItems: number;
  /** DOM nodes visited per page. */
  maxNodes: number;
  /** Element nesting read; the markup past a deeper point is not read. */
  maxDepth: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = { maxLinks: 2000, maxItems: 2000, maxNodes: 200_000, maxDepth: 1500 };

/** Where on the page an element sits: the site's header, its navigation, its footer, or the content. */
export type Region = 'header' | 'nav' | 'footer' | 'content';

export interface PageLink {
  /** Absolute http(s) URL, fragment and credentials removed. */
  url: string;
  text: string;
  region: Region;
  /** The link of an item in one of the page's content lists (an article). */
  article: boolean;
}

export interface PageImage {
  url: string;
  alt: string;
  region: Region;
}

export interface ListItem {
  title: string;
  /** The item's link, absolute, or null. */
  href: string | null;
  date: FoundDate | null;
}

export interface ItemList {
  items: ListItem[];
}

export interface ExtractedPage {
  title: string;
  columnName: string | null;
  columnType: string | null;
  links: PageLink[];
  images: PageImage[];
  lists: ItemList[];
  /** Links, images and list items found beyond the limits, and nodes not visited. */
  cut: { links: number; items: number; nodes: boolean };
  /** Links not followed, by kind: javascript:, mailto:, tel:, data:, other schemes, unparseable or overlong. */
  skipped: Record<string, number>;
  /** Links in the content region (not header, navigation or footer). */
  contentLinks: number;
  /** Characters of visible text in the content region. */
  contentChars: number;
  /** SHA-256 of the content region's text, whitespace folded; null when it is too short to identify an article. */
  contentHash: string | null;
}

const MAX_URL_LENGTH = 2048;
const MAX_TEXT = 300;
const ITEM_TAGS = new Set(['li', 'tr', 'dd']);
/** Elements whose text nobody reads on the page. */
const SKIP_TAGS = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'title']);

function isTag(n: AnyNode): n is Element {
  const t = n.type as string;
  return t === 'tag' || t === 'script' || t === 'style';
}

function isText(n: AnyNode): n is AnyNode & { data: string } {
  return (n.type as string) === 'text';
}
const CHROME_RE = /(?:^|[\s_-])(header|head|top|topbar|banner|nav|navbar|menu|mainnav|subnav|footer|foot|bottom|copyright|crumb|crumbs|breadcrumb|position|location|dqwz)(?:[\s_-]|$)/i;

function regionOfClass(el: Element): Region | null {
  if (el.name === 'header' || el.name === 'head') return 'header';
  if (el.name === 'nav') return 'nav';
  if (el.name === 'footer') return 'footer';
  const names = `${el.attribs.class ?? ''} ${el.attribs.id ?? ''}`;
  if (names.length > 500) return null;
  const m = CHROME_RE.exec(names);
  if (!m) return null;
  const w = m[1]!.toLowerCase();
  if (w === 'footer' || w === 'foot' || w === 'bottom' || w === 'copyright') return 'footer';
  if (w === 'header' || w === 'head' || w === 'top' || w === 'topbar' || w === 'banner') return 'header';
  return 'nav';
}

/**
 * A copy of a string that does not point into the page it came from: V8
 * keeps substrings as views of their parent, and a link text kept in an
 * observation would otherwise keep the whole page's markup alive.
 */
function own(s: string): string {
  return s.length === 0 ? '' : Buffer.from(s, 'utf16le').toString('utf16le');
}

function fold(s: string): string {
  return own(s.replace(/[\s\u00a0\u3000]+/g, ' ').trim());
}

/** Bounded text of a subtree: stops after `maxChars` characters or `maxNodes` nodes. */
function textOf(root: AnyNode, maxChars = 2000, maxNodes = 2000): string {
  const parts: string[] = [];
  let size = 0;
  let visited = 0;
  const stack: AnyNode[] = [root];
  while (stack.length > 0 && size < maxChars && visited < maxNodes) {
    const n = stack.pop()!;
    visited++;
    if (isText(n)) {
      parts.push(n.data);
      size += n.data.length;
    } else if (isTag(n)) {
      if (n !== root && SKIP_TAGS.has(n.name)) continue;
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
  }
  const text = fold(parts.join(' '));
  return text.length > maxChars ? own(text.slice(0, maxChars)) : text;
}

/**
 * Resolve an href the way a browser does (WHATWG URL: tabs and newlines
 * dropped, backslashes as slashes, `//host` protocol-relative), and keep it
 * only when it is http(s). Returns the URL or the reason it was skipped.
 */
export function resolveLink(href: string, base: URL): { url: string } | { skip: string } {
  const raw = href.trim();
  if (raw === '' || raw.startsWith('#')) return { skip: 'fragment' };
  if (raw.length > MAX_URL_LENGTH) return { skip: 'overlong' };
  let u: URL;
  try {
    u = new URL(raw, base);
  } catch {
    return { skip: 'unparseable' };
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') {
    return { skip: ['javascript', 'mailto', 'tel', 'data'].includes(scheme) ? scheme : 'other-scheme' };
  }
  if (!u.hostname) return { skip: 'unparseable' };
  u.hash = '';
  u.username = '';
  u.password = '';
  if (u.href.length > MAX_URL_LENGTH) return { skip: 'overlong' };
  return { url: u.href };
}

interface Frame {
  node: AnyNode;
  region: Region;
  /** The nearest enclosing list item. */
  item: Element | null;
}

interface RawItem {
  el: Element;
  links: { url: string | null; text: string }[];
  /** Indexes into page.links of this item's links. */
  pageLinks: number[];
}

/** The markup up to where it nests deeper than `maxDepth` (packages/html), re-exported for the census's callers. */
export { cutDeepNesting };

/** Read one page. `baseUrl` is the URL it was fetched from (after redirects). */
export function extractPage(html: string, baseUrl: string, today: CalendarDate, limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS): ExtractedPage {
  const shallow = cutDeepNesting(html, limits.maxDepth);
  const doc = parseHtml(shallow ?? html, limits.maxDepth);
  let base = new URL(baseUrl);
  let baseSet = false;
  const page: ExtractedPage = {
    title: '',
    columnName: null,
    columnType: null,
    links: [],
    images: [],
    lists: [],
    cut: { links: 0, items: 0, nodes: shallow !== null },
    skipped: {},
    contentLinks: 0,
    contentChars: 0,
    contentHash: null,
  };
  const items = new Map<Element, RawItem>();
  const contentText: string[] = [];
  let contentSize = 0;
  let visited = 0;
  let linkCount = 0;
  const stack: Frame[] = [{ node: doc, region: 'content', item: null }];
  const children = (n: AnyNode): AnyNode[] => ('children' in n ? (n as { children: AnyNode[] }).children : []);

  while (stack.length > 0) {
    if (++visited > limits.maxNodes) {
      page.cut.nodes = true;
      break;
    }
    const { node, region, item } = stack.pop()!;
    if (isText(node)) {
      if (region === 'content' && contentSize < 200_000) {
        contentText.push(node.data);
        contentSize += node.data.length;
      }
      continue;
    }
    if (!isTag(node)) {
      const c = children(node);
      for (let i = c.length - 1; i >= 0; i--) stack.push({ node: c[i]!, region, item });
      continue;
    }
    const el = node;
    const name = el.name;
    if (name === 'title' && !page.title) page.title = textOf(el, MAX_TEXT);
    if (name === 'base' && !baseSet && el.attribs.href !== undefined) {
      baseSet = true;
      const r = resolveLink(el.attribs.href, base);
      if ('url' in r) base = new URL(r.url);
    }
    if (name === 'meta') {
      const metaName = (el.attribs.name ?? '').toLowerCase();
      const content = own(fold(el.attribs.content ?? '').slice(0, MAX_TEXT));
      if (metaName === 'columnname' && page.columnName === null) page.columnName = content;
      if (metaName === 'columntype' && page.columnType === null) page.columnType = content;
    }
    if (SKIP_TAGS.has(name)) continue;
    const here = region === 'content' ? (regionOfClass(el) ?? 'content') : region === 'header' && regionOfClass(el) === 'nav' ? 'nav' : region;
    let myItem = item;
    if (ITEM_TAGS.has(name)) {
      if (items.size < limits.maxItems) {
        myItem = el;
        items.set(el, { el, links: [], pageLinks: [] });
      } else {
        page.cut.items++;
        myItem = null;
      }
    }
    if (name === 'a' && el.attribs.href !== undefined) {
      if (linkCount >= limits.maxLinks) page.cut.links++;
      else {
        linkCount++;
        const r = resolveLink(el.attribs.href, base);
        const text = textOf(el, MAX_TEXT) || own(fold(el.attribs.title ?? '').slice(0, MAX_TEXT));
        if ('skip' in r) page.skipped[r.skip] = (page.skipped[r.skip] ?? 0) + 1;
        else {
          if (myItem) items.get(myItem)?.pageLinks.push(page.links.length);
          page.links.push({ url: r.url, text, region: here, article: false });
          if (here === 'content') page.contentLinks++;
        }
        if (myItem) {
          const title = fold(el.attribs.title ?? '');
          items.get(myItem)?.links.push({ url: 'url' in r ? r.url : null, text: title.length > text.length ? own(title.slice(0, MAX_TEXT)) : text });
        }
      }
    }
    if (name === 'img' && el.attribs.src !== undefined) {
      if (linkCount >= limits.maxLinks) page.cut.links++;
      else {
        linkCount++;
        const r = resolveLink(el.attribs.src, base);
        if ('skip' in r) page.skipped[`img-${r.skip}`] = (page.skipped[`img-${r.skip}`] ?? 0) + 1;
        else page.images.push({ url: r.url, alt: own(fold(el.attribs.alt ?? '').slice(0, MAX_TEXT)), region: here });
      }
    }
    const c = el.children;
    for (let i = c.length - 1; i >= 0; i--) stack.push({ node: c[i]!, region: here, item: myItem });
  }

  // Lists: items grouped by their parent element, in document order.
  const groups = new Map<AnyNode | null, { items: ListItem[]; raws: RawItem[] }>();
  for (const raw of items.values()) {
    if (raw.links.length === 0) continue;
    const best = raw.links.reduce((a, b) => (b.text.length > a.text.length ? b : a));
    if (!best.text) continue;
    const whole = textOf(raw.el, 2000, 400);
    const idx = whole.indexOf(best.text);
    const outside = idx >= 0 ? fold(whole.slice(0, idx) + ' ' + whole.slice(idx + best.text.length)) : whole;
    const date = findDate(outside, today) ?? findTrailingDate(best.text, today);
    const group = groups.get(raw.el.parent) ?? { items: [], raws: [] };
    group.items.push({ title: best.text, href: best.url, date });
    group.raws.push(raw);
    groups.set(raw.el.parent, group);
  }
  for (const [parent, { items: list, raws }] of groups) {
    if (parent && isTag(parent) && insideChrome(parent)) continue;
    const dated = list.filter((i) => i.date !== null).length;
    const avgTitle = list.reduce((n, i) => n + [...i.title].length, 0) / list.length;
    if (dated > 0 || (list.length >= 2 && avgTitle >= 8)) {
      page.lists.push({ items: list });
      for (const raw of raws) for (const i of raw.pageLinks) page.links[i]!.article = true;
    }
  }

  const text = fold(contentText.join(' '));
  page.contentChars = [...text].length;
  page.contentHash = page.contentChars >= 40 ? createHash('sha256').update(text).digest('hex') : null;
  return page;
}

/** Whether an element sits in the page's header, navigation or footer (walks up at most 64 ancestors). */
function insideChrome(el: Element): boolean {
  let cur: AnyNode | null = el;
  for (let i = 0; cur && i < 64; i++) {
    if (isTag(cur) && regionOfClass(cur) !== null) return true;
    cur = cur.parent;
  }
  return false;
}

/** Column kinds whose freshness the indicators judge: news (动态、要闻类) and notices/policies (通知公告、政策文件类). */
export type ColumnKind = 'dynamic' | 'notice' | 'other';

const DYNAMIC_RE = /动态|要闻|新闻|资讯|头条|快讯|时政|转载|播报|聚焦|工作信息|图片|视频|简报/u;
const NOTICE_RE = /通知|公告|公示|通告|政策|文件|法规|规章|解读|规划|计划|公开|人事|预决算|报告|标准/u;

/** Infer a column's kind from its `ColumnType` meta, then its name. */
export function columnKind(name: string | null, columnType: string | null): ColumnKind {
  for (const s of [columnType, name]) {
    if (!s) continue;
    if (DYNAMIC_RE.test(s)) return 'dynamic';
    if (NOTICE_RE.test(s)) return 'notice';
  }
  return 'other';
}

const NOT_COLUMNS = /^(首页|主页|网站首页|返回首页|english|en|登录|注册|无障碍|繁體|繁体|简体|网站地图|联系我们|更多|more|>>|»)$/iu;
const COLUMN_PATH = /\/(col|column|columns|lm|list|channel|node|category)[^/]*\//i;

/**
 * The first-level columns a homepage links to: same-site links in the
 * header or navigation (or shaped like a column URL in the content), named
 * in 2 to 12 characters, that are not articles of a list nor the homepage.
 */
export function columnLinks(page: ExtractedPage, homepage: string, sameSite: (url: string) => boolean, max: number): { url: string; name: string }[] {
  const home = new URL(homepage);
  const out = new Map<string, string>();
  for (const l of page.links) {
    if (out.size >= max) break;
    if (l.article || l.region === 'footer' || !sameSite(l.url)) continue;
    const name = l.text;
    const len = [...name].length;
    if (len < 2 || len > 12 || NOT_COLUMNS.test(name)) continue;
    const u = new URL(l.url);
    if (u.pathname === home.pathname && u.search === home.search) continue;
    if (u.pathname === '/' && !u.search) continue;
    const navigational = l.region === 'nav' || l.region === 'header';
    if (!navigational && !COLUMN_PATH.test(u.pathname)) continue;
    if (!out.has(l.url)) out.set(l.url, name);
  }
  return [...out].map(([url, name]) => ({ url, name }));
}
