/**
 * The extractor: identity tokens of a government homepage — 网站标识码, ICP
 * 备案号, 公网安备号, the CONAC badge (党政机关网站标识), the 我为政府网站找错
 * entry, 主办单位 and contact line, the SiteName/SiteDomain/SiteIDCode meta
 * tags and <title> — each with where it was found.
 *
 * Text is read as a reader sees it (scripts and styles left out) and
 * normalised with NFKC, so full-width digits, letters, colons and spaces
 * (５１１８…, ＩＣＰ, ：, U+3000) read as their ASCII forms. Pure: no network.
 */
import { type AnyNode, type Document, type Element, attr, parseHtml, visibleText } from '@govscan/html';
import { conacId, digits, formatIcp, ICP_PATTERN, icpFromMatch, nfkc, normalizePsb } from './normalize.js';
import { type Identity, type IdentityTokens, type PageTokens, type Token } from './tokens.js';

/** How much visible text is read from one document. A 2 MiB body has at most this many characters anyway. */
const MAX_TEXT_CHARS = 2_200_000;

/** ids and class names of footer regions on Chinese government sites: footer, foot, bottom, copyright, 版权 (bq, banquan), 底部 (db, dibu). */
const FOOTER_NAME = /foot|bottom|copyright|banquan|dibu|^(?:bq|db|ft)(?:[-_]|\d|$)|[-_](?:bq|db|ft)(?:[-_]|\d|$)/i;

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
/** <省简称>公网安备 <digits>号 */
const PSB_TEXT = /(\p{Script=Han})\s*公网安备\s*(\d(?: ?\d)*)\s*号/gu;
/** 主办单位：… (a colon or a space after the label, so 主办 in running text is not taken) up to a separator. */
const SPONSOR_TEXT = /主办(?:单位|机关|方)?(?:\s*:\s*|\s+)([^\s|,;。、]{2,60})/gu;
/** A contact line: a phone/fax number or an e-mail address after its label. */
const CONTACT_TEXT =
  /(?:联系电话|联系方式|咨询电话|值班电话|电话|传真|tel|phone|电子邮箱|电子信箱|邮箱|e-?mail)(?:\s*:\s*|\s+)(\+?\(?\d[\d\-() ]{4,30}\d|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)/giu;
const JIUCUO_TEXT = /我为政府网站找错/u;

function collect(text: string, where: string, out: PageTokens, seen: Set<string>): void {
  const add = (list: Token[], key: string, value: string): void => {
    const k = `${key}\u001f${value}`;
    if (seen.has(k)) return;
    seen.add(k);
    list.push({ value, where });
  };
  for (const m of text.matchAll(SITE_CODE_TEXT)) add(out.siteCodes, 'code', m[1]!.replace(/ /g, '').toLowerCase());
  for (const m of text.matchAll(ICP_PATTERN)) add(out.icp, 'icp', formatIcp(icpFromMatch(m)));
  for (const m of text.matchAll(PSB_TEXT)) add(out.psb, 'psb', `${m[1]}公网安备 ${digits(m[2]!)}号`);
  for (const m of text.matchAll(SPONSOR_TEXT)) add(out.sponsor, 'sponsor', m[1]!);
  for (const m of text.matchAll(CONTACT_TEXT)) add(out.contact, 'contact', m[1]!.trim());
  if (JIUCUO_TEXT.test(text)) add(out.jiucuo, 'jiucuo', '我为政府网站找错');
}

function absolute(ref: string, base: string): string | null {
  try {
    return new URL(ref.trim(), base).href;
  } catch {
    return null;
  }
}

/**
 * Extract the identity tokens of one HTML document (its text, or the document
 * already parsed). `baseUrl` resolves frame sources; `prefix` marks tokens of
 * a frame's document.
 */
export function extractTokens(html: string | Document, baseUrl: string, prefix = ''): PageTokens {
  const doc = typeof html === 'string' ? parseHtml(html) : html;
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
        const id = conacId(raw) ?? raw;
        if (!out.conac.some((t) => t.value === id)) out.conac.push({ value: id, where: w(`${name}[${a}]`) });
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

const unique = (xs: string[]): string[] => [...new Set(xs)];
const values = (list: Token[]): string[] => unique(list.map((x) => x.value));

/** The values a case records: each token's values once, in page order. */
export function identityTokens(t: PageTokens): IdentityTokens {
  return {
    siteCodes: values(t.siteCodes),
    icp: values(t.icp),
    psb: values(t.psb),
    conac: values(t.conac),
    sponsor: values(t.sponsor),
    siteName: t.meta.SiteName,
    siteDomain: t.meta.SiteDomain,
  };
}

/** The identity tokens one HTML document shows, as a case records them. */
export function extractIdentityTokens(html: string | Document, baseUrl: string): IdentityTokens {
  return identityTokens(extractTokens(html, baseUrl));
}

/** A CONAC token that is a badge id (not the URL of a badge that carries none). */
const isConacId = (v: string): boolean => /^[0-9A-Za-z]+$/.test(v);

/** The values a lookalike is compared by: 公网安备 numbers as digits, CONAC badge ids only, the SiteName meta as the site name. */
export function identityOf(t: PageTokens): Identity {
  return {
    siteCode: values(t.siteCodes),
    icp: values(t.icp),
    psb: unique(t.psb.map((x) => normalizePsb(x.value)).filter((x): x is string => x !== null)),
    conac: values(t.conac).filter(isConacId),
    siteName: t.meta.SiteName ? [t.meta.SiteName] : [],
    sponsor: values(t.sponsor),
  };
}
