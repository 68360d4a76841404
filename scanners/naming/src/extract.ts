/**
 * Identity tokens of a government homepage: 网站标识码, ICP 备案号, 公网安备号,
 * the CONAC badge (党政机关网站标识), the 我为政府网站找错 entry, 主办单位 and
 * contact line, the SiteName/SiteDomain/SiteIDCode meta tags and <title>.
 *
 * Text is read as a reader sees it (scripts and styles left out) and
 * normalised with NFKC, so full-width digits, letters, colons and spaces
 * (５１１８…, ＩＣＰ, ：, U+3000) read as their ASCII forms. Every token
 * records where it was found. Pure: no network.
 */
import { type AnyNode, type Document, type Element, attr, parseHtml, visibleText } from '@govscan/html';

export interface Token {
  value: string;
  /** Where on the page: `footer-text`, `page-text`, `meta[name=SiteIDCode]`, `script#_jiucuo_[sitecode]`, `script[src]`, `a[href]`, … (prefixed `frame <url>: ` for a frame's document). */
  where: string;
}

export interface PageTokens {
  title: string | null;
  meta: { SiteName: string | null; SiteDomain: string | null; SiteIDCode: string | null };
  /** Site codes: shown in text, in the SiteIDCode meta, on the 找错 script. */
  siteCodes: Token[];
  icp: Token[];
  psb: Token[];
  conac: Token[];
  jiucuo: Token[];
  sponsor: Token[];
  contact: Token[];
  /** An element that looks like the page footer was found. */
  footerFound: boolean;
  /** `<frame>` sources and same-host `<iframe>` sources, absolute. */
  frames: string[];
  /** Characters of visible text read (capped). */
  textChars: number;
}

/** How much visible text is read from one document. A 2 MiB body has at most this many characters anyway. */
const MAX_TEXT_CHARS = 2_200_000;

/** ids and class names of footer regions on Chinese government sites: footer, foot, bottom, copyright, 版权 (bq, banquan), 底部 (db, dibu). */
const FOOTER_NAME = /foot|bottom|copyright|banquan|dibu|^(?:bq|db|ft)(?:[-_]|\d|$)|[-_](?:bq|db|ft)(?:[-_]|\d|$)/i;

export function nfkc(s: string): string {
  return s.normalize('NFKC');
}

function clean(s: string): string {
  return nfkc(s).replace(/\s+/g, ' ').trim();
}

function isFooterElement(el: Element): boolean {
  if (el.name === 'footer') return true;
  if (attr(el, 'role')?.toLowerCase() === 'contentinfo') return true;
  const id = attr(el, 'id');
  if (id && FOOTER_NAME.test(id)) return true;
  const cls = attr(el, 'class');
  return !!cls && cls.split(/\s+/).some((c) => c && FOOTER_NAME.test(c));
}

/** Outermost footer-like elements, and every element, in document order (one walk, no recursion: deep nesting cannot overflow the stack). */
function walk(doc: Document): { footers: Element[]; elements: Element[] } {
  const footers: Element[] = [];
  const elements: Element[] = [];
  const stack: { node: AnyNode; inFooter: boolean }[] = [{ node: doc, inFooter: false }];
  while (stack.length > 0) {
    const { node, inFooter } = stack.pop()!;
    let childInFooter = inFooter;
    if (node.type === 'tag' || node.type === 'script' || node.type === 'style') {
      const el = node as Element;
      elements.push(el);
      if (!inFooter && isFooterElement(el)) {
        footers.push(el);
        childInFooter = true;
      }
    }
    const children = (node as { children?: AnyNode[] }).children;
    if (children) for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, inFooter: childInFooter });
  }
  return { footers, elements };
}

// --- text patterns (on NFKC text) -------------------------------------------------

/** 网站标识码 / 网站识别码: 10 digits, or bm + 8 digits; a single space between digits is tolerated. */
const SITE_CODE_TEXT = /(?:标识码|识别码)\s*:?\s*((?:bm|BM) ?\d(?: ?\d){7}|\d(?: ?\d){9})(?!\d)/gu;
/** <省简称>ICP备<digits>号(-<n>)? — the province character is captured as written; rules judge it. */
const ICP_TEXT = /(\p{Script=Han})\s*ICP\s*备\s*(\d(?: ?\d)*)\s*号(?:\s*-\s*(\d+))?/giu;
/** <省简称>公网安备 <digits>号 */
const PSB_TEXT = /(\p{Script=Han})\s*公网安备\s*(\d(?: ?\d)*)\s*号/gu;
/** 主办单位：… (a colon or a space after the label, so 主办 in running text is not taken) up to a separator. */
const SPONSOR_TEXT = /主办(?:单位|机关|方)?(?:\s*:\s*|\s+)([^\s|,;。、]{2,60})/gu;
/** A contact line: a phone/fax number or an e-mail address after its label. */
const CONTACT_TEXT =
  /(?:联系电话|联系方式|咨询电话|值班电话|电话|传真|tel|phone|电子邮箱|电子信箱|邮箱|e-?mail)(?:\s*:\s*|\s+)(\+?\(?\d[\d\-() ]{4,30}\d|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)/giu;
const JIUCUO_TEXT = /我为政府网站找错/u;

function digits(s: string): string {
  return s.replace(/\D/g, '');
}

function collect(text: string, where: string, out: PageTokens, seen: Set<string>): void {
  const add = (list: Token[], key: string, value: string): void => {
    const k = `${key}\u001f${value}`;
    if (seen.has(k)) return;
    seen.add(k);
    list.push({ value, where });
  };
  for (const m of text.matchAll(SITE_CODE_TEXT)) add(out.siteCodes, 'code', m[1]!.replace(/ /g, '').toLowerCase());
  for (const m of text.matchAll(ICP_TEXT)) add(out.icp, 'icp', `${m[1]}ICP备${digits(m[2]!)}号${m[3] ? `-${m[3]}` : ''}`);
  for (const m of text.matchAll(PSB_TEXT)) add(out.psb, 'psb', `${m[1]}公网安备 ${digits(m[2]!)}号`);
  for (const m of text.matchAll(SPONSOR_TEXT)) add(out.sponsor, 'sponsor', m[1]!);
  for (const m of text.matchAll(CONTACT_TEXT)) add(out.contact, 'contact', m[1]!.trim());
  if (JIUCUO_TEXT.test(text)) add(out.jiucuo, 'jiucuo', '我为政府网站找错');
}

/** The CONAC badge id from its script or link URL, else the URL itself. */
export function conacId(url: string): string {
  const js = /\/js\/\d+\/\d+\/\d+\/(\d+)\//.exec(url);
  if (js) return js[1]!;
  const q = /[?&]id=([0-9A-Za-z]+)/.exec(url);
  if (q) return q[1]!;
  return url;
}

function absolute(ref: string, base: string): string | null {
  try {
    return new URL(ref.trim(), base).href;
  } catch {
    return null;
  }
}

/**
 * Extract the identity tokens of one HTML document. `baseUrl` resolves frame
 * sources; `prefix` marks tokens of a frame's document.
 */
export function extractTokens(html: string, baseUrl: string, prefix = ''): PageTokens {
  const doc = parseHtml(html);
  const { footers, elements } = walk(doc);
  const out: PageTokens = {
    title: null,
    meta: { SiteName: null, SiteDomain: null, SiteIDCode: null },
    siteCodes: [],
    icp: [],
    psb: [],
    conac: [],
    jiucuo: [],
    sponsor: [],
    contact: [],
    footerFound: footers.length > 0,
    frames: [],
    textChars: 0,
  };
  const seen = new Set<string>();
  const w = (where: string): string => `${prefix}${where}`;
  let baseHost: string | null = null;
  try {
    baseHost = new URL(baseUrl).host;
  } catch {
    /* keep null */
  }

  // Footer text first, so a token shown there is attributed to the footer; then the rest of the page.
  const footerText = footers.length ? nfkc(visibleText(footers, MAX_TEXT_CHARS)) : '';
  const pageText = nfkc(visibleText(doc, MAX_TEXT_CHARS));
  out.textChars = pageText.length;
  if (footerText) collect(footerText, w('footer-text'), out, seen);
  collect(pageText, w('page-text'), out, seen);

  for (const el of elements) {
    const name = el.name;
    if (name === 'title' && out.title === null) {
      const t = clean(textOf(el));
      out.title = t || null;
    } else if (name === 'meta') {
      const key = attr(el, 'name')?.trim().toLowerCase();
      const content = attr(el, 'content');
      if (content === null) continue;
      const v = clean(content);
      if (key === 'sitename' && out.meta.SiteName === null) out.meta.SiteName = v || null;
      else if (key === 'sitedomain' && out.meta.SiteDomain === null) out.meta.SiteDomain = v || null;
      else if (key === 'siteidcode' && out.meta.SiteIDCode === null) {
        out.meta.SiteIDCode = v || null;
        if (v) out.siteCodes.push({ value: v.replace(/ /g, '').toLowerCase(), where: w('meta[name=SiteIDCode]') });
      }
    } else if (name === 'frame' || name === 'iframe') {
      const src = attr(el, 'src');
      const abs = src ? absolute(src, baseUrl) : null;
      if (abs && /^https?:/.test(abs) && (name === 'frame' || new URL(abs).host === baseHost) && !out.frames.includes(abs)) out.frames.push(abs);
    }
    // Attributes: the 找错 script's site code, CONAC and 找错 by URL.
    const sitecode = attr(el, 'sitecode');
    if (sitecode !== null) {
      const v = clean(sitecode).replace(/ /g, '').toLowerCase();
      const label = attr(el, 'id') === '_jiucuo_' ? `${name}#_jiucuo_[sitecode]` : `${name}[sitecode]`;
      if (v) out.siteCodes.push({ value: v, where: w(label) });
      out.jiucuo.push({ value: attr(el, 'src') ?? v, where: w(label) });
    }
    for (const a of ['src', 'href'] as const) {
      const raw = attr(el, a);
      if (!raw) continue;
      const lower = raw.toLowerCase();
      if (/(^|[/.])conac\.cn([/:?#]|$)/.test(lower) || lower.includes('.conac.cn/')) {
        if (!out.conac.some((t) => t.value === conacId(raw))) out.conac.push({ value: conacId(raw), where: w(`${name}[${a}]`) });
      }
      if ((lower.includes('jiucuo') || lower.includes('zfwzgl.www.gov.cn')) && !out.jiucuo.some((t) => t.value === raw)) {
        out.jiucuo.push({ value: raw, where: w(`${name}[${a}]`) });
      }
      if (a === 'href' && lower.includes('beian.gov.cn')) {
        const code = /recordcode=(\d+)/i.exec(raw);
        if (code && !out.psb.some((t) => t.value === code[1])) out.psb.push({ value: code[1]!, where: w(`${name}[href] recordcode`) });
      }
    }
  }
  return out;
}

function textOf(el: Element): string {
  let s = '';
  const stack: AnyNode[] = [...el.children].reverse();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'text') s += (n as unknown as { data: string }).data;
    const children = (n as { children?: AnyNode[] }).children;
    if (children) for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    if (s.length > 10_000) break;
  }
  return s;
}

/** Merge the tokens of several documents (the homepage first, then its frames). */
export function mergeTokens(pages: PageTokens[]): PageTokens {
  const first = pages[0];
  if (!first) throw new Error('mergeTokens: no page');
  const out: PageTokens = { ...first, siteCodes: [], icp: [], psb: [], conac: [], jiucuo: [], sponsor: [], contact: [], frames: [], meta: { ...first.meta } };
  for (const p of pages) {
    for (const k of ['siteCodes', 'icp', 'psb', 'conac', 'jiucuo', 'sponsor', 'contact'] as const) out[k].push(...p[k]);
    out.footerFound ||= p.footerFound;
    out.title ??= p.title;
    out.meta.SiteName ??= p.meta.SiteName;
    out.meta.SiteDomain ??= p.meta.SiteDomain;
    out.meta.SiteIDCode ??= p.meta.SiteIDCode;
    out.textChars += p === first ? 0 : p.textChars;
  }
  return out;
}

export { parseHtml };
