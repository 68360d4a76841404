/**
 * Facts of a captured HTML page: title, forms and what they collect, and the
 * identity tokens a government site shows (网站标识码, ICP 备案号, 公网安备号,
 * the CONAC badge, 主办单位), as `@govscan/identity` reads them. Pure: no network.
 */
import { attr, decodeBody, parseHtml, select, textContent, visibleText } from '@govscan/html';
import { extractIdentityTokens, type IdentityTokens } from '@govscan/identity';

export interface FormFacts {
  action: string | null;
  method: string;
  /** Input names/types: `password:pwd`, `text:username`, … */
  fields: string[];
  collectsPassword: boolean;
}

export interface PageFacts {
  title: string | null;
  charset: string;
  forms: FormFacts[];
  /** Visible text, whitespace collapsed, at most 20,000 characters. */
  text: string;
  tokens: IdentityTokens;
  /** Hosts of scripts, images, styles and frames the page loads. */
  resourceHosts: string[];
}

const uniq = (xs: string[]): string[] => [...new Set(xs)];

export function pageFacts(body: Uint8Array, contentType: string | null, baseUrl: string): PageFacts {
  const decoded = decodeBody(body, contentType);
  const doc = parseHtml(decoded.text);
  const titleEl = select('title', doc)[0];
  const title = titleEl ? textContent(titleEl).replace(/\s+/g, ' ').trim() || null : null;
  const text = visibleText(doc, 200_000).replace(/\s+/g, ' ').trim().slice(0, 20_000);
  const forms: FormFacts[] = select('form', doc).map((f) => {
    const inputs = select('input, select, textarea', f);
    const fields = inputs
      .filter((i) => !['hidden', 'submit', 'button', 'image', 'reset'].includes((attr(i, 'type') ?? '').toLowerCase()))
      .map((i) => `${(attr(i, 'type') ?? i.name).toLowerCase()}:${attr(i, 'name') ?? attr(i, 'id') ?? ''}`);
    let action: string | null = attr(f, 'action');
    try {
      action = new URL(action ?? '', baseUrl).href;
    } catch {
      /* keep as written */
    }
    return { action, method: (attr(f, 'method') ?? 'get').toLowerCase(), fields, collectsPassword: fields.some((x) => x.startsWith('password:')) };
  });
  // Password inputs outside any form collect data too.
  const loose = select('input', doc).filter((i) => (attr(i, 'type') ?? '').toLowerCase() === 'password').length;
  if (loose > 0 && !forms.some((f) => f.collectsPassword)) forms.push({ action: null, method: 'script', fields: ['password:'], collectsPassword: true });
  const resourceHosts: string[] = [];
  for (const el of select('script[src], img[src], link[href], iframe[src], frame[src]', doc)) {
    const ref = attr(el, 'src') ?? attr(el, 'href');
    try {
      const u = new URL(ref ?? '', baseUrl);
      if (u.protocol === 'http:' || u.protocol === 'https:') resourceHosts.push(u.hostname);
    } catch {
      /* not a URL */
    }
  }
  return { title, charset: decoded.charset, forms, text, tokens: extractIdentityTokens(doc, baseUrl), resourceHosts: uniq(resourceHosts) };
}

/** Character-trigram Jaccard similarity of two texts (0..1). */
export function textSimilarity(a: string, b: string): number {
  const grams = (s: string): Set<string> => {
    const t = s.replace(/\s+/g, '');
    const out = new Set<string>();
    for (let i = 0; i + 3 <= t.length && out.size < 50_000; i++) out.add(t.slice(i, i + 3));
    return out;
  };
  const A = grams(a);
  const B = grams(b);
  if (A.size === 0 && B.size === 0) return 1;
  let inter = 0;
  for (const g of A) if (B.has(g)) inter++;
  return inter / (A.size + B.size - inter);
}
