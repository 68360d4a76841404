/**
 * What a page says about whose it is: the identity tokens of a Chinese
 * government website (read by `@govscan/identity`), its title, visible text,
 * structure, forms, and the marks of a parked domain.
 */
import { attr, decodeBody, first, parseHtml, select, textContent, visibleText, type Element } from '@govscan/html';
import { extractTokens, identityOf, type Identity } from '@govscan/identity';

export { conacId, IDENTITY_TOKENS, normalizeIcp, normalizePsb, type Identity, type IdentityToken } from '@govscan/identity';

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
  // No base URL: a lookalike's frames are not followed, and only they need one.
  const identity = identityOf(extractTokens(doc, 'about:blank'));
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
