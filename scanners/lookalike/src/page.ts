/**
 * What a page says about whose it is: the identity tokens of a Chinese
 * government website (网站标识码, ICP 备案号, 公网安备号, the CONAC badge, the
 * site name and the 主办单位), its title, visible text, structure, forms, and
 * the marks of a parked domain.
 */
import { attr, decodeBody, first, parseHtml, select, textContent, visibleText, type Element } from '@govscan/html';

export const IDENTITY_TOKENS = ['siteCode', 'icp', 'psb', 'conac', 'siteName', 'sponsor'] as const;
export type IdentityToken = (typeof IDENTITY_TOKENS)[number];
export type Identity = Record<IdentityToken, string[]>;

export interface PageFeatures {
  title: string | null;
  /** Visible text, whitespace collapsed. */
  text: string;
  identity: Identity;
  /** `parent>tag.class` of every element: the page's skeleton. */
  structure: Set<string>;
  /** Character 3-grams of the visible text. */
  shingles: Set<string>;
  loginForm: boolean;
  paymentForm: boolean;
  /** What marked the page as parked (phrases found), empty when none. */
  parkedMarkers: string[];
  charset: string;
}

export const emptyIdentity = (): Identity => ({ siteCode: [], icp: [], psb: [], conac: [], siteName: [], sponsor: [] });

/** 蜀ICP备05005390号-1 → 蜀ICP备05005390号 (the record, not the site number after it). */
export function normalizeIcp(s: string): string | null {
  const m = /([\p{Script=Han}])\s*ICP\s*[备證证]\s*(\d{6,})\s*号/iu.exec(s);
  return m ? `${m[1]}ICP备${m[2]}号` : null;
}

/** 川公网安备 51180002000100号 → 51180002000100 */
export function normalizePsb(s: string): string | null {
  const m = /公网安备\s*(\d{10,})\s*号?/u.exec(s);
  return m ? m[1]! : null;
}

/** The CONAC badge id out of its script URL (dcs.conac.cn/js/51/000/0000/<id>/CA….js). */
export function conacId(url: string): string | null {
  const m = /conac\.cn\/js\/\d+\/\d+\/\d+\/(\d{6,})\//i.exec(url) ?? /conac\.cn\/.*?CA(\d{12,})\d{4}\.js/i.exec(url);
  return m ? m[1]! : null;
}

const unique = (xs: (string | null | undefined)[]): string[] => [...new Set(xs.filter((x): x is string => !!x && x.length > 0))];

const PARKED: [RegExp, string][] = [
  [/this domain (name )?(is|may be) for sale|domain (name )?for sale|buy this domain|make an offer/i, 'for sale'],
  [/域名(正在|可以|可能)?(出售|转让|待售|求购)|(出售|转让)此域名|此域名.{0,12}(出售|转让)|该域名.{0,12}(出售|转让)|本域名.{0,12}(出售|转让)/u, '域名出售'],
  [/domain parking|parked (free|domain)|this domain is parked|parkingcrew|sedoparking|bodis\.com|above\.com|dan\.com|afternic|hugedomains|undeveloped\.com/i, 'parking service'],
  [/域名停放|停放页面|该域名尚未(开通|绑定|建站)|此域名尚未(开通|建站)/u, '域名停放'],
];

/** Name servers of domain-parking services. */
const PARKING_NS = /(^|\.)(sedoparking\.com|parkingcrew\.net|bodis\.com|above\.com|dan\.com|afternic\.com|parklogic\.com|hugedomains\.com|namebrightdns\.com|ztomy\.com|domainparking\.ru|cashparking\.com|dnspod\.net\.parking)$/i;

export function parkingNameServers(ns: readonly string[]): string[] {
  return ns.filter((n) => PARKING_NS.test(n.replace(/\.$/, ''))).map((n) => `ns:${n}`);
}

const PAYMENT = /card|cvv|cvc|bank|iban|pay|银行卡|卡号|信用卡|支付|付款|缴费|转账|有效期|安全码|交易密码|支付密码/i;

function shingles(text: string, n = 3): Set<string> {
  const t = text.replace(/\s+/g, '');
  const out = new Set<string>();
  for (let i = 0; i + n <= t.length; i++) out.add(t.slice(i, i + n));
  return out;
}

function structureOf(root: Element[] | Element): Set<string> {
  const out = new Set<string>();
  for (const el of select('*', root)) {
    const parent = el.parent && 'name' in el.parent ? (el.parent as Element).name : '';
    const cls = (attr(el, 'class') ?? '').trim().split(/\s+/).filter(Boolean).sort().join('.');
    out.add(`${parent}>${el.name}${cls ? `.${cls}` : ''}`);
  }
  return out;
}

/** Decode (by charset), parse and read a page. */
export function pageFeatures(body: Uint8Array, contentType: string | null): PageFeatures {
  const decoded = decodeBody(body, contentType);
  const doc = parseHtml(decoded.text);
  const roots = doc.children as Element[];
  const title = first('title', roots);
  const titleText = title ? textContent(title).replace(/\s+/g, ' ').trim() || null : null;
  const text = visibleText(roots).replace(/\s+/g, ' ').trim();
  const meta = (name: string): string | null => {
    for (const m of select('meta', roots)) if ((attr(m, 'name') ?? '').toLowerCase() === name.toLowerCase()) return (attr(m, 'content') ?? '').trim() || null;
    return null;
  };
  const scripts = select('script', roots);
  const links = select('a', roots).map((a) => `${attr(a, 'href') ?? ''} ${visibleText(a)}`);
  const siteCodeText = /网站标识码\s*[:：]?\s*((?:\d{6}|bm\d{4})\d{4})/iu.exec(text)?.[1];
  const identity: Identity = {
    siteCode: unique([meta('SiteIDCode'), ...scripts.map((s) => attr(s, 'sitecode')), siteCodeText]).map((s) => s.toLowerCase()),
    icp: unique([normalizeIcp(text), ...links.map(normalizeIcp)]),
    psb: unique([normalizePsb(text), ...links.map(normalizePsb)]),
    conac: unique(scripts.map((s) => conacId(attr(s, 'src') ?? ''))),
    siteName: unique([meta('SiteName')]),
    sponsor: unique([/主办单位\s*[:：]\s*([^\s|｜,，。;；]+)/u.exec(text)?.[1]]),
  };
  const forms = select('form', roots);
  const inputs = select('input, select, textarea', roots);
  const loginForm = inputs.some((i) => (attr(i, 'type') ?? '').toLowerCase() === 'password');
  const paymentForm = forms.length > 0 && inputs.some((i) => PAYMENT.test(`${attr(i, 'name') ?? ''} ${attr(i, 'id') ?? ''} ${attr(i, 'placeholder') ?? ''}`));
  const parkedMarkers = PARKED.filter(([re]) => re.test(`${titleText ?? ''} ${text}`)).map(([, label]) => label);
  return { title: titleText, text, identity, structure: structureOf(roots), shingles: shingles(text), loginForm, paymentForm, parkedMarkers, charset: decoded.charset };
}

/** Jaccard similarity of two sets; null when both are empty. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number | null {
  if (a.size === 0 && b.size === 0) return null;
  let inter = 0;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}
